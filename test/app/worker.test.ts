// The real worker bundle (dist/app/worker.cjs, built by test/global-setup.ts as `npm run build`
// builds it) in a real worker thread, driven by the real RunController, and by the whole menu-bar
// app with a store on a real file, against Ollama doubles on loopback (no sweep, no 127.0.0.1:11434).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MenuBarApp } from '../../main/app/menu-bar-app.js';
import { RunController, type WorkerHandle } from '../../main/app/run-controller.js';
import { runOptions } from '../../main/app/run-options.js';
import { AppStore, DEFAULT_SETTINGS } from '../../main/app/store.js';
import type { SpeedrunEvent } from '../../main/core/events.js';
import { INVOKE, PUSH_CHANNEL, type LastRun, type ToRenderer, type ToWorker } from '../../main/contract.js';
import { simulatedModel, useOllamaDoubles } from '../helpers/ollama-doubles.js';
import { FakeBrowserWindow, FakeNotification, FakeTray, electronRegistry, resetElectron } from '../mocks/electron.js';

const workerFile = join(import.meta.dirname, '../../dist/app/worker.cjs');
const startDouble = useOllamaDoubles();

const fast = (name: string, sizeBytes = 1_300_000_000) => simulatedModel({ name, sizeBytes, memoryBytes: sizeBytes * 1.4, tokensPerSec: 5_000 });
/** At 4096 tokens, a model this slow is still answering long after a test has stopped it. */
const slow = (name: string) => simulatedModel({ name, sizeBytes: 1_200_000_000, memoryBytes: 1_700_000_000, tokensPerSec: 20 });

let folder: string;
/** Every thread a test started; one a failed test left running is ended after it. */
const threads: Worker[] = [];
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'speedrun-worker-'));
});
afterEach(async () => {
  await Promise.all(threads.splice(0).map((thread) => thread.terminate()));
  await rm(folder, { recursive: true, force: true });
});

/** The real worker, told never to try this machine's own server, which is no part of a test. */
function realWorker(): WorkerHandle {
  const thread = new Worker(workerFile);
  threads.push(thread);
  const post = thread.postMessage.bind(thread);
  thread.postMessage = (message: ToWorker) => {
    if (message.type === 'start') message.options.discovery.includeLoopback = false;
    post(message);
  };
  return thread;
}

const schedule = (ms: number, callback: () => void) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

function controller(createWorker: () => WorkerHandle) {
  const events: SpeedrunEvent[] = [];
  const saved: LastRun[] = [];
  let finished: (run: LastRun) => void = () => undefined;
  const done = new Promise<LastRun>((resolve) => (finished = resolve));
  const changed: (() => void)[] = [];
  const runs = new RunController({
    createWorker,
    onEvent: (event) => events.push(event),
    onProgress: (run) => saved.push(run),
    onFinished: (run) => finished(run),
    onStateChange: () => changed.forEach((listener) => listener()),
    schedule,
    now: () => Date.now(),
  });
  const ended = new Promise<void>((resolve) => changed.push(() => runs.status === 'idle' && resolve()));
  return { runs, events, saved, done, ended };
}

const options = (hosts: string[], maxTokens = 32) =>
  runOptions({ ...DEFAULT_SETTINGS, extraHosts: hosts, scan: false, maxTokens, runs: 1 }, { ollamaHostEnv: undefined, knownServersFile: join(folder, 'known-servers.json') });

describe('the worker', () => {
  it('bundles the core runner without Electron', async () => {
    const bundle = await readFile(workerFile, 'utf8');
    expect(bundle).not.toMatch(/require\("electron"\)/);
    expect(bundle).toContain('bench-progress');
  });

  it('runs the core runner and relays its events up to the report', async () => {
    const doubles = [
      await startDouble({ models: [fast('llama3.2:1b'), simulatedModel({ name: 'qwen3:4b', sizeBytes: 2_500_000_000, tokensPerSec: 400 })] }),
      await startDouble({ models: [simulatedModel({ name: 'other:1b', sizeBytes: 1_200_000_000, tokensPerSec: 200 })] }),
    ];
    const { runs, events, saved, done } = controller(() => realWorker());
    expect(runs.start(options(doubles.map((double) => double.url)))).toEqual({ ok: true });
    const run = await done;

    expect(events[0]).toEqual({ type: 'phase', phase: 'discover' });
    expect(events.at(-1)).toMatchObject({ type: 'done', cancelled: false });
    expect(events.filter((event) => event.type === 'host-found')).toHaveLength(2);
    expect(events.some((event) => event.type === 'bench-progress')).toBe(true);
    expect(run.end).toBe('finished');
    expect(run.report.results.map((result) => `${result.model} ${result.status}`).sort()).toEqual(['llama3.2:1b ok', 'other:1b ok', 'qwen3:4b ok']);
    expect(run.report.tiers.find((tier) => tier.tier === 'tiny')?.recommended?.model).toBe('llama3.2:1b');
    // One snapshot per finished model, each holding every model finished before it.
    expect(saved.map((snapshot) => snapshot.report.results.length)).toEqual([1, 2, 3]);
    expect(saved.every((snapshot) => snapshot.end === 'interrupted')).toBe(true);
    expect(runs.status).toBe('idle');
    expect(runs.crash).toBeNull();
  });

  it('turns a worker that throws into a message, and the app goes on', async () => {
    const { runs, ended } = controller(() => new Worker('throw new Error("worker exploded")', { eval: true }));
    runs.start(options([]));
    await ended;
    expect(runs.status).toBe('idle');
    expect(runs.crash).toBe('The benchmark stopped with an internal error: worker exploded');
  });

  it('hard-stops a worker that ignores the cancel', async () => {
    const { runs, ended } = controller(() => new Worker('setInterval(() => {}, 1000)', { eval: true }));
    runs.start(options([]));
    runs.stop(200);
    await ended;
    expect(runs.crash).toMatch(/did not stop within 0.2 s and was ended/);
  });
});

/** The menu-bar app as main.ts wires it, with Electron's objects faked and the store on a real file. */
function appOnRealWorker() {
  resetElectron();
  const openStore = () => {
    const file = new Conf<Record<string, unknown>>({ cwd: folder, configName: 'speedrun' });
    return new AppStore({ read: () => file.store, write: (data) => (file.store = data) });
  };
  const store = openStore();
  const window = new FakeBrowserWindow({});
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const rendererUrl = 'file:///Applications/Ollama%20Speedrun.app/Contents/Resources/app.asar/dist/app/renderer/index.html';
  const app = new MenuBarApp({
    tray: new FakeTray({}),
    window,
    screen: { getAllDisplays: () => electronRegistry.displays, getCursorScreenPoint: () => electronRegistry.cursor },
    showMenu: () => undefined,
    clipboard: { writeText: () => undefined },
    notifications: { isSupported: () => true, create: (text) => new FakeNotification(text) },
    ipc: { handle: (channel, handler) => handlers.set(channel, handler as (event: unknown, ...args: unknown[]) => unknown) },
    pushChannel: PUSH_CHANNEL,
    store,
    createWorker: realWorker,
    runEnvironment: { ollamaHostEnv: undefined, knownServersFile: join(folder, 'known-servers.json') },
    rendererUrl,
    quit: () => undefined,
    now: () => Date.now(),
    schedule,
  });
  /** What the popover's buttons do: an IPC call from the popover's page. */
  const fromPopover = (channel: string) => handlers.get(channel)?.({ sender: { id: window.webContents.id }, senderFrame: { url: rendererUrl, parent: null } });
  const events = () =>
    window.webContents.send.mock.calls.flatMap(([, message]) => ((message as ToRenderer).type === 'event' ? [(message as Extract<ToRenderer, { type: 'event' }>).event] : []));
  const generating = (model: string) => events().some((event) => event.type === 'bench-progress' && event.model === model && event.stage === 'generate');
  const idle = () =>
    new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (app.runs.status === 'idle') {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
  return { app, store, fromPopover, generating, idle, nextLaunch: () => openStore().lastRun };
}

const summary = (run: LastRun | null) => run?.report.results.map((result) => `${result.model} ${result.status}`);

describe('the app on the real worker', () => {
  it('saves each model as it finishes, so the file holds the run so far', async () => {
    const double = await startDouble({ models: [fast('first:1b'), slow('slow:1b')] });
    const { app, store, generating, nextLaunch } = appOnRealWorker();
    store.setSettings({ ...DEFAULT_SETTINGS, extraHosts: [double.url], scan: false, maxTokens: 4096, runs: 1 });
    expect(app.start()).toEqual({ ok: true });
    await expect.poll(() => generating('slow:1b'), { timeout: 10_000 }).toBe(true);

    const onDisk = nextLaunch();
    expect(onDisk?.end).toBe('interrupted');
    expect(summary(onDisk)).toEqual(['first:1b ok']);
    expect(onDisk?.report.tiers.find((tier) => tier.tier === 'tiny')?.recommended?.model).toBe('first:1b');
  });

  it("stops from the popover within a second: the request in flight is aborted, what the run loaded is unloaded, every finished model is kept", async () => {
    const double = await startDouble({ models: [fast('first:1b'), fast('second:1b'), slow('slow:1b'), fast('never:1b')] });
    const { app, store, fromPopover, generating, idle, nextLaunch } = appOnRealWorker();
    store.setSettings({ ...DEFAULT_SETTINGS, extraHosts: [double.url], scan: false, maxTokens: 4096, runs: 1 });
    expect(fromPopover(INVOKE.start)).toEqual({ ok: true });
    await expect.poll(() => generating('slow:1b'), { timeout: 20_000 }).toBe(true);

    const stoppedAt = performance.timeOrigin + performance.now();
    fromPopover(INVOKE.stop);
    await idle();
    const stopMs = performance.timeOrigin + performance.now() - stoppedAt;

    expect(stopMs).toBeLessThan(1_000);
    expect(app.runs.crash).toBeNull();
    const prompts = double.requests.filter((request) => request.path === '/api/generate' && (request.body as { prompt?: string }).prompt);
    const cut = prompts.filter((request) => (request.body as { model: string }).model === 'slow:1b');
    expect(cut.length).toBeGreaterThan(0);
    for (const request of cut) expect((request.endedAt ?? Number.POSITIVE_INFINITY) - stoppedAt).toBeLessThan(1_000);
    expect(prompts.some((request) => (request.body as { model: string }).model === 'never:1b')).toBe(false);
    expect(double.loadedModels()).toEqual([]);

    expect(store.lastRun?.end).toBe('stopped');
    expect(summary(store.lastRun)).toEqual(['first:1b ok', 'second:1b ok']);
    expect(nextLaunch()).toEqual(store.lastRun);
    expect(app.state().last?.end).toBe('stopped');
  });

  it('keeps the models finished before the worker died, saved as an interrupted run the next launch shows', async () => {
    const double = await startDouble({ models: [fast('first:1b'), slow('slow:1b')] });
    const { app, store, generating, idle, nextLaunch } = appOnRealWorker();
    store.setSettings({ ...DEFAULT_SETTINGS, extraHosts: [double.url], scan: false, maxTokens: 4096, runs: 1 });
    app.start();
    await expect.poll(() => generating('slow:1b'), { timeout: 10_000 }).toBe(true);

    // The thread dies under the app, as it would on an abort or out of memory: nobody asked it to stop.
    await threads[0]?.terminate();
    await idle();

    expect(app.state().crash).toMatch(/The benchmark worker quit unexpectedly/);
    const kept = nextLaunch();
    expect(kept?.end).toBe('interrupted');
    expect(summary(kept)).toEqual(['first:1b ok']);
    expect(kept?.report.hosts.map((host) => host.url)).toEqual([double.url]);
    expect(kept?.report.tiers.find((tier) => tier.tier === 'tiny')?.recommended?.model).toBe('first:1b');
    expect(app.state().last).toEqual(kept);
  });
});
