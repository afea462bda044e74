// Every message between the worker, the main process, the preload and the renderer, with its
// payload. Main and preload both build their IPC from `INVOKE` and `PUSH_CHANNEL`, so a channel
// name or a payload cannot drift between the two sides.
import type { SpeedrunEvent } from './core/events.js';
import type { Report } from './core/report.js';
import type { SpeedrunOptions } from './core/speedrun.js';

// ---- main <-> worker (worker_threads postMessage) ----

export type ToWorker =
  /** Runs the core runner once with these options; a worker runs one benchmark and is then ended. */
  | { type: 'start'; options: SpeedrunOptions }
  /** Aborts the runner's AbortSignal: it unloads what it loaded and emits `done` with `cancelled`. */
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'event'; event: SpeedrunEvent }
  /** The runner threw instead of finishing; the worker has nothing more to say. */
  | { type: 'failed'; message: string };

// ---- shared values ----

export interface Settings {
  /** Servers to try besides this machine, OLLAMA_HOST and remembered ones (host, host:port or URL). */
  extraHosts: string[];
  /** Sweep the local network for servers. */
  scan: boolean;
  /** The network to sweep instead of the default route's, e.g. `192.168.1.0/24`. */
  subnet: string | null;
  /** Tokens each timed run may generate. */
  maxTokens: number;
  /** Timed runs per model after one warm-up. */
  runs: number;
}

/**
 * How a saved run ended. `finished`: the runner got to the end. `stopped`: the user stopped it.
 * `interrupted`: the app never saw it end (the worker died, or the app or the Mac did); a run in
 * progress is saved this way as each model finishes, so if nothing replaces it, that is what it was.
 */
export type RunEnd = 'finished' | 'stopped' | 'interrupted';

/**
 * A run as the popover shows it later: the report and what discovery said. A run that did not
 * finish holds the models finished until it ended.
 */
export interface LastRun {
  report: Report;
  end: RunEnd;
  /** Discovery's advice (what to check when a server is missing), from `discovery-done`. */
  advice: string[];
  /** Servers that were found but could not be listed, from `host-failed`. */
  failedHosts: { url: string; reason: string }[];
  /** Problems that did not end the run, from `warning`. */
  warnings: string[];
}

export type RunStatus = 'idle' | 'running' | 'stopping';

export interface AppState {
  status: RunStatus;
  /**
   * The run in progress so far, so a popover that (re)loads mid-run catches up. Live progress
   * (`bench-progress`) is kept only as the latest one per server.
   */
  events: SpeedrunEvent[];
  last: LastRun | null;
  /** Why the last run ended without a report (the worker crashed or could not start); null otherwise. */
  crash: string | null;
  /**
   * What the popover says once about the file the app keeps its settings and results in (it could
   * not be read and was moved aside, or it cannot be written); null when there is nothing to say.
   */
  notice: string | null;
}

export type CopyForm = 'name' | 'run';

/** Copy a model of the current report: its name, or `ollama run <name>`. */
export interface CopyRequest {
  host: string;
  model: string;
  form: CopyForm;
}

export type CopyResult = { ok: true; text: string } | { ok: false; reason: string };
export type StartResult = { ok: true } | { ok: false; reason: string };
/** One message per field; `form` when the settings as a whole were unreadable. */
export type SettingsErrors = Partial<Record<keyof Settings | 'form', string>>;
export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: SettingsErrors };

// ---- renderer <-> main (IPC) ----

/** Request/response calls from the renderer (ipcRenderer.invoke / ipcMain.handle). */
export interface InvokeContract {
  'speedrun:get-state': { args: []; result: AppState };
  'speedrun:start': { args: []; result: StartResult };
  'speedrun:stop': { args: []; result: void };
  'speedrun:copy': { args: [request: CopyRequest]; result: CopyResult };
  'settings:get': { args: []; result: Settings };
  'settings:set': { args: [settings: Settings]; result: SettingsResult };
}

export type InvokeChannel = keyof InvokeContract;

export const INVOKE = {
  getState: 'speedrun:get-state',
  start: 'speedrun:start',
  stop: 'speedrun:stop',
  copy: 'speedrun:copy',
  getSettings: 'settings:get',
  setSettings: 'settings:set',
} as const satisfies Record<string, InvokeChannel>;

/** main -> renderer: every runner event as it happens, and the app state when it changes. */
export type ToRenderer = { type: 'event'; event: SpeedrunEvent } | { type: 'state'; state: AppState };

export const PUSH_CHANNEL = 'speedrun:push';

/** What the preload exposes to the renderer as `window.speedrun`; nothing else crosses. */
export interface SpeedrunBridge {
  start(): Promise<StartResult>;
  stop(): Promise<void>;
  copy(request: CopyRequest): Promise<CopyResult>;
  getState(): Promise<AppState>;
  getSettings(): Promise<Settings>;
  setSettings(settings: Settings): Promise<SettingsResult>;
  /** Calls `listener` with every push from main; returns the unsubscribe function. */
  subscribe(listener: (message: ToRenderer) => void): () => void;
}

export const BRIDGE_NAME = 'speedrun';
