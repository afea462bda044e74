import { describe, expect, it } from 'vitest';
import type { AppState } from '../../main/contract.js';
import { EMPTY_RUN, INITIAL_MODEL, foldEvents, reduce, screenOf } from '../../renderer/model.js';
import { loadRecordedRun } from './recorded-run.js';

const events = loadRecordedRun().events.map((entry) => entry.event);
const done = events.at(-1);
if (done?.type !== 'done') throw new Error('the recording must end with done');
const running: AppState = { status: 'running', events: [], last: null, crash: null, notice: null };

describe('foldEvents', () => {
  it('follows the recorded run from discovery to the report, copying every figure as it came', () => {
    const firstDone = events.findIndex((event) => event.type === 'bench-done' && event.result.status === 'ok');
    const midRun = foldEvents(events.slice(0, firstDone));
    expect(midRun.phase).toBe('benchmark');
    expect(midRun.hosts).toHaveLength(2);
    expect(midRun.listed).toBe(10);
    const lastProgress = events.slice(0, firstDone).findLast((event) => event.type === 'bench-progress');
    if (lastProgress?.type !== 'bench-progress') throw new Error('no progress before the first result');
    expect(midRun.activity.find((activity) => activity.host === lastProgress.host)).toMatchObject({
      model: lastProgress.model,
      tokensPerSec: lastProgress.tokensPerSec,
      tokens: lastProgress.tokens,
    });

    const end = foldEvents(events);
    expect(end.report).toEqual(done.report);
    expect(end.finished).toHaveLength(done.report.results.length);
    expect(end.activity).toEqual([]);
  });

  it('keeps what discovery advised and what went wrong', () => {
    const run = foldEvents([
      { type: 'discovery-done', hosts: [], tried: [], advice: ['set OLLAMA_HOST=0.0.0.0 on the server'] },
      { type: 'host-failed', url: 'http://a:11434', reason: 'HTTP 500' },
      { type: 'warning', message: 'could not unload m' },
    ]);
    expect(run).toMatchObject({ advice: ['set OLLAMA_HOST=0.0.0.0 on the server'], failedHosts: [{ url: 'http://a:11434', reason: 'HTTP 500' }], warnings: ['could not unload m'] });
  });
});

describe('reduce and screenOf', () => {
  it('shows the results the moment the done event arrives, before main reports idle', () => {
    let model = reduce(INITIAL_MODEL, { type: 'state', state: running });
    for (const event of events) model = reduce(model, { type: 'event', event });
    expect(screenOf(model)).toMatchObject({ kind: 'results', last: { report: done.report, end: 'finished' } });
  });

  it('shows a run stopped by the user as stopped, from its done event', () => {
    let model = reduce(INITIAL_MODEL, { type: 'state', state: { ...running, status: 'stopping' } });
    model = reduce(model, { type: 'event', event: { ...done, cancelled: true } });
    expect(screenOf(model)).toMatchObject({ kind: 'results', last: { report: done.report, end: 'stopped' } });
  });

  it('starts a fresh run view when a new run starts', () => {
    let model = reduce(INITIAL_MODEL, { type: 'state', state: running });
    for (const event of events) model = reduce(model, { type: 'event', event });
    model = reduce(model, { type: 'state', state: { ...running, status: 'idle' } });
    model = reduce(model, { type: 'state', state: running });
    expect(model.run).toEqual(EMPTY_RUN);
    expect(screenOf(model)).toMatchObject({ kind: 'running', stopping: false });
  });

  it('catches up from the snapshot of a run in progress, unless a push came first', () => {
    const snapshot: AppState = { ...running, events: events.slice(0, 12) };
    expect(reduce(INITIAL_MODEL, { type: 'snapshot', state: snapshot }).run).toEqual(foldEvents(events.slice(0, 12)));
    const pushed = reduce(INITIAL_MODEL, { type: 'state', state: { ...running, status: 'stopping' } });
    expect(reduce(pushed, { type: 'snapshot', state: snapshot })).toBe(pushed);
  });

  it('shows the saved results when idle, and the welcome when there are none', () => {
    const last = { report: done.report, end: 'finished' as const, advice: [], failedHosts: [], warnings: [] };
    expect(screenOf(reduce(INITIAL_MODEL, { type: 'snapshot', state: { ...running, status: 'idle', last } }))).toEqual({ kind: 'results', last });
    expect(screenOf(reduce(INITIAL_MODEL, { type: 'snapshot', state: { ...running, status: 'idle' } }))).toEqual({ kind: 'welcome' });
    expect(screenOf(INITIAL_MODEL)).toEqual({ kind: 'loading' });
  });
});
