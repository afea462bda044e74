// What the popover shows, folded from main's pushes. Every figure is read from an event or the
// report as it came; nothing here measures, scores or ranks.
import type { Phase, SpeedrunEvent } from '../main/core/events.js';
import type { HostInfo, ModelResult, Report } from '../main/core/report.js';
import type { AppState, LastRun, ToRenderer } from '../main/contract.js';

export interface HostActivity {
  host: string;
  model: string;
  /** From `bench-start`: this model's position on its server (0-based) and the server's count. */
  index: number;
  total: number;
  stage: 'queued' | 'load' | 'generate';
  tokens: number;
  tokensPerSec: number | null;
}

export interface RunView {
  phase: Phase | null;
  notes: string[];
  scan: { network: string; probed: number; total: number } | null;
  hosts: HostInfo[];
  listed: number;
  /** What each server is measuring now, in the order the servers started. */
  activity: HostActivity[];
  finished: ModelResult[];
  advice: string[];
  failedHosts: LastRun['failedHosts'];
  warnings: string[];
  /** Set by `done`: the run's report, shown at once, before main's state catches up. */
  report: Report | null;
  cancelled: boolean;
}

export const EMPTY_RUN: RunView = {
  phase: null,
  notes: [],
  scan: null,
  hosts: [],
  listed: 0,
  activity: [],
  finished: [],
  advice: [],
  failedHosts: [],
  warnings: [],
  report: null,
  cancelled: false,
};

function withActivity(run: RunView, host: string, change: (current: HostActivity | undefined) => HostActivity): RunView {
  const current = run.activity.find((activity) => activity.host === host);
  const next = change(current);
  return {
    ...run,
    activity: current ? run.activity.map((activity) => (activity === current ? next : activity)) : [...run.activity, next],
  };
}

export function foldEvent(run: RunView, event: SpeedrunEvent): RunView {
  switch (event.type) {
    case 'phase':
      return { ...run, phase: event.phase };
    case 'discovery-note':
      return { ...run, notes: [...run.notes, event.message] };
    case 'scan-progress':
      return { ...run, scan: { network: event.network, probed: event.probed, total: event.total } };
    case 'host-found':
      return { ...run, hosts: [...run.hosts, event.host] };
    case 'host-rejected':
      return run;
    case 'discovery-done':
      return { ...run, advice: event.advice };
    case 'host-failed':
      return { ...run, failedHosts: [...run.failedHosts, { url: event.url, reason: event.reason }] };
    case 'model-listed':
      return { ...run, listed: run.listed + 1 };
    case 'bench-start':
      return withActivity(run, event.host, () => ({
        host: event.host,
        model: event.model,
        index: event.index,
        total: event.total,
        stage: 'queued',
        tokens: 0,
        tokensPerSec: null,
      }));
    case 'bench-progress':
      return withActivity(run, event.host, (current) => ({
        host: event.host,
        model: event.model,
        index: current?.index ?? 0,
        total: current?.total ?? 0,
        stage: event.stage,
        tokens: event.tokens,
        tokensPerSec: event.tokensPerSec,
      }));
    case 'bench-done':
      return { ...run, finished: [...run.finished, event.result] };
    case 'assessment':
      return run;
    case 'warning':
      return { ...run, warnings: [...run.warnings, event.message] };
    case 'done':
      return { ...run, report: event.report, cancelled: event.cancelled, activity: [] };
  }
}

export function foldEvents(events: SpeedrunEvent[]): RunView {
  return events.reduce(foldEvent, EMPTY_RUN);
}

export interface ViewModel {
  /** Null until main has answered once. */
  app: AppState | null;
  run: RunView;
}

export type Action = ToRenderer | { type: 'snapshot'; state: AppState };

export const INITIAL_MODEL: ViewModel = { app: null, run: EMPTY_RUN };

export function reduce(model: ViewModel, action: Action): ViewModel {
  switch (action.type) {
    case 'snapshot':
      // A push that arrived while the snapshot was on its way is newer than the snapshot.
      return model.app ? model : { app: action.state, run: foldEvents(action.state.events) };
    case 'state': {
      const wasIdle = (model.app?.status ?? 'idle') === 'idle';
      const run = wasIdle && action.state.status !== 'idle' ? foldEvents(action.state.events) : model.run;
      return { app: action.state, run };
    }
    case 'event':
      return { ...model, run: foldEvent(model.run, action.event) };
  }
}

export type Screen =
  | { kind: 'loading' }
  | { kind: 'running'; run: RunView; stopping: boolean }
  | { kind: 'results'; last: LastRun }
  | { kind: 'welcome' };

/** Which view the popover shows for this model. */
export function screenOf(model: ViewModel): Screen {
  const { app, run } = model;
  if (!app) return { kind: 'loading' };
  if (app.status !== 'idle') {
    if (!run.report) return { kind: 'running', run, stopping: app.status === 'stopping' };
    const last: LastRun = {
      report: run.report,
      end: run.cancelled ? 'stopped' : 'finished',
      advice: run.advice,
      failedHosts: run.failedHosts,
      warnings: run.warnings,
    };
    return { kind: 'results', last };
  }
  return app.last ? { kind: 'results', last: app.last } : { kind: 'welcome' };
}
