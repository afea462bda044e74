// The menu-bar app with every Electron object injected: tray, popover, worker, notification,
// clipboard, store and IPC wired together. main.ts only creates the real objects and hands them in.
import type { SpeedrunEvent } from '../core/events.js';
import type { AppState, CopyResult, LastRun, StartResult, ToRenderer } from '../contract.js';
import { registerInvokeHandlers, type IpcMainLike } from './ipc.js';
import { FALLBACK_TRAY_TITLE, Notifier, finishedNotification, type NotificationText, type PostedNotification } from './notification.js';
import type { Rect } from './placement.js';
import { Popover, type KeyInput, type PopoverWindow, type ScreenLike } from './popover.js';
import { RunController, type WorkerHandle } from './run-controller.js';
import { runOptions, type RunEnvironment } from './run-options.js';
import { worthKeeping } from './saved-run.js';
import { isTrustedSender } from './security.js';
import type { AppStore } from './store.js';
import { TrayTitle } from './tray-title.js';

export const TOOLTIP = 'Ollama Speedrun';
/** On quit, how long a running benchmark gets to give the servers back their models. */
export const QUIT_GRACE_MS = 5_000;

/**
 * Ollama model names are letters, digits and `._:/-` (plus `+` in some tags). Anything else could
 * do harm when the copied text is pasted into a terminal, so it is never put on the clipboard.
 */
const SAFE_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,199}$/;

/** The parts of `Tray` used here. */
export interface TrayLike {
  setTitle(title: string): void;
  setToolTip(toolTip: string): void;
  getBounds(): Rect;
  on(event: 'click', listener: (event: unknown, bounds: Rect) => void): unknown;
  on(event: 'right-click', listener: (event: unknown, bounds: Rect) => void): unknown;
}

/** The parts of the popover's `WebContents` used here. */
export interface PopoverContents {
  readonly id: number;
  send(channel: string, message: ToRenderer): void;
  isDestroyed(): boolean;
  on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
}

export type MenuItem = { label: string; enabled: boolean; click: () => void } | { type: 'separator' };

export interface MenuBarAppDeps {
  tray: TrayLike;
  window: PopoverWindow & { webContents: PopoverContents };
  screen: ScreenLike;
  /** Pops up the right-click menu under the icon. */
  showMenu(items: MenuItem[]): void;
  clipboard: { writeText(text: string): void };
  notifications: { isSupported(): boolean; create(text: NotificationText): PostedNotification };
  ipc: IpcMainLike;
  /** The channel main pushes on (`PUSH_CHANNEL`). */
  pushChannel: string;
  store: AppStore;
  createWorker(): WorkerHandle;
  runEnvironment: RunEnvironment;
  /** The popover page's file URL: the only page whose IPC calls are answered. */
  rendererUrl: string;
  quit(): void;
  now(): number;
  schedule(ms: number, callback: () => void): () => void;
}

function isCopyRequest(value: unknown): value is { host: string; model: string; form: 'name' | 'run' } {
  if (typeof value !== 'object' || value === null) return false;
  const request = value as Record<string, unknown>;
  return typeof request.host === 'string' && typeof request.model === 'string' && (request.form === 'name' || request.form === 'run');
}

export class MenuBarApp {
  readonly popover: Popover;
  readonly runs: RunController;
  private readonly notifier: Notifier;
  private readonly trayTitle = new TrayTitle();
  private shownTitle = '';
  private fallbackShown = false;

  constructor(private readonly deps: MenuBarAppDeps) {
    const { tray, window } = deps;
    this.popover = new Popover(
      window,
      deps.screen,
      deps.now,
      () => this.clearFallback(),
      () => this.noticeSeen(),
    );
    this.runs = new RunController({
      createWorker: deps.createWorker,
      onEvent: (event) => this.relay(event),
      onProgress: (run) => this.keep(run),
      onFinished: (run) => this.finished(run),
      onStateChange: () => this.stateChanged(),
      schedule: deps.schedule,
      now: deps.now,
    });
    this.notifier = new Notifier({
      isSupported: () => deps.notifications.isSupported(),
      create: (text) => deps.notifications.create(text),
      onClick: () => this.popover.show(tray.getBounds()),
      onUndelivered: (text) => this.showFallback(text),
    });

    tray.setToolTip(TOOLTIP);
    tray.on('click', (_event, bounds) => this.popover.toggle(bounds));
    tray.on('right-click', () => deps.showMenu(this.menuItems()));
    window.webContents.on('before-input-event', (event, input) => {
      if (this.popover.handleKey(input)) event.preventDefault();
    });
    registerInvokeHandlers(
      deps.ipc,
      {
        'speedrun:get-state': () => this.state(),
        'speedrun:start': () => this.start(),
        'speedrun:stop': () => this.runs.stop(),
        'speedrun:copy': (request) => this.copy(request),
        'settings:get': () => deps.store.settings,
        'settings:set': (settings) => this.writing(() => deps.store.setSettings(settings)),
      },
      (event) => isTrustedSender(event, { webContentsId: window.webContents.id, url: deps.rendererUrl }),
    );
  }

  state(): AppState {
    return {
      status: this.runs.status,
      events: this.runs.status === 'idle' ? [] : this.runs.runEvents,
      last: this.deps.store.lastRun,
      crash: this.runs.crash,
      notice: this.deps.store.notice,
    };
  }

  start(): StartResult {
    const started = this.runs.start(runOptions(this.deps.store.settings, this.deps.runEnvironment));
    if (started.ok) this.clearFallback();
    return started;
  }

  menuItems(): MenuItem[] {
    const idle = this.runs.status === 'idle';
    return [
      { label: 'Run benchmark', enabled: idle, click: () => this.start() },
      { label: 'Stop', enabled: this.runs.status === 'running', click: () => this.runs.stop() },
      { type: 'separator' },
      { label: 'Quit Ollama Speedrun', enabled: true, click: () => this.deps.quit() },
    ];
  }

  /** Copies a model of the current results: its name or `ollama run <name>`. */
  copy(request: unknown): CopyResult {
    if (!isCopyRequest(request)) return { ok: false, reason: 'Nothing to copy: the request was malformed.' };
    const results = this.deps.store.lastRun?.report.results ?? [];
    if (!results.some((result) => result.host === request.host && result.model === request.model)) {
      return { ok: false, reason: `${request.model} is not in the current results.` };
    }
    if (!SAFE_MODEL_NAME.test(request.model)) {
      return { ok: false, reason: 'This model name has characters a shell would interpret, so it was not copied.' };
    }
    const text = request.form === 'run' ? `ollama run ${request.model}` : request.model;
    this.deps.clipboard.writeText(text);
    return { ok: true, text };
  }

  /** Quitting: let a running benchmark put the servers back, briefly, then end it. */
  shutdown(): Promise<void> {
    return this.runs.shutdown(QUIT_GRACE_MS);
  }

  private push(message: ToRenderer): void {
    const contents = this.deps.window.webContents;
    if (!contents.isDestroyed()) contents.send(this.deps.pushChannel, message);
  }

  private relay(event: SpeedrunEvent): void {
    this.push({ type: 'event', event });
    this.setTitle(this.trayTitle.update(event));
  }

  private stateChanged(): void {
    if (this.runs.status === 'idle') {
      this.trayTitle.reset();
      if (!this.fallbackShown) this.setTitle('');
    }
    this.push({ type: 'state', state: this.state() });
  }

  /**
   * Saves a run, in progress or ended, unless it would only hide the previous complete results.
   * Saved as each model finishes, so an app that dies mid-run loses at most the model in flight.
   */
  private keep(run: LastRun): void {
    if (worthKeeping(run)) this.writing(() => this.deps.store.setLastRun(run));
  }

  /** Runs a store write; a write that fails leaves a notice, which the popover hears of at once. */
  private writing<T>(write: () => T): T {
    const before = this.deps.store.notice;
    const result = write();
    if (this.deps.store.notice !== before) this.push({ type: 'state', state: this.state() });
    return result;
  }

  /** The popover was open and is now closed: a notice it showed has been seen. */
  private noticeSeen(): void {
    if (this.deps.store.notice === null) return;
    this.deps.store.dismissNotice();
    this.push({ type: 'state', state: this.state() });
  }

  private finished(run: LastRun): void {
    this.keep(run);
    if (this.popover.visible) return;
    const text = finishedNotification(run);
    if (text) this.notifier.post(text);
  }

  private setTitle(title: string): void {
    if (title === this.shownTitle) return;
    this.shownTitle = title;
    this.deps.tray.setTitle(title);
  }

  private showFallback(text: NotificationText): void {
    this.fallbackShown = true;
    this.setTitle(FALLBACK_TRAY_TITLE);
    this.deps.tray.setToolTip(`${text.title}: ${text.body}`);
  }

  private clearFallback(): void {
    if (!this.fallbackShown) return;
    this.fallbackShown = false;
    this.deps.tray.setToolTip(TOOLTIP);
    if (this.runs.status === 'idle') this.setTitle('');
  }
}
