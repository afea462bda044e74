// Main's side of the worker: starts one worker per run, relays its events, cancels it with an
// explicit message and terminates it as the hard stop. Whatever the worker does (throws, exits,
// hangs) ends here as a line for the popover; it never reaches the app.
import type { SpeedrunEvent } from '../core/events.js';
import type { SpeedrunOptions } from '../core/speedrun.js';
import type { FromWorker, LastRun, RunStatus, StartResult, ToWorker } from '../contract.js';
import { runSoFar, savedRun } from './saved-run.js';

/** The parts of `worker_threads.Worker` used here. */
export interface WorkerHandle {
  postMessage(message: ToWorker): void;
  on(event: 'message', listener: (message: FromWorker) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export interface RunControllerDeps {
  createWorker(): WorkerHandle;
  /** Every runner event, in order, as it arrives. */
  onEvent(event: SpeedrunEvent): void;
  /** A model finished: the run so far, as it should be saved in case the run never ends. */
  onProgress(run: LastRun): void;
  /** A run ended with a report, finished or stopped. */
  onFinished(run: LastRun): void;
  /** `status` or `crash` changed. */
  onStateChange(): void;
  /** Runs `callback` after `ms`; returns the function that cancels it. */
  schedule(ms: number, callback: () => void): () => void;
  /** Wall-clock milliseconds, for the times of a run saved in progress. */
  now(): number;
}

/**
 * How long a stopped run may take to put the servers back (unload what it loaded, reload what it
 * evicted) before the worker is terminated.
 */
export const STOP_GRACE_MS = 15_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RunController {
  status: RunStatus = 'idle';
  /** Why the last run ended without a report; null when it did not. */
  crash: string | null = null;
  private worker: WorkerHandle | null = null;
  private events: SpeedrunEvent[] = [];
  private startedAt = '';
  private cancelHardStop: (() => void) | null = null;
  private readonly finishedWaiters = new Set<() => void>();

  constructor(private readonly deps: RunControllerDeps) {}

  /** The current run's events; live progress only as the latest per server and per network. */
  get runEvents(): SpeedrunEvent[] {
    return [...this.events];
  }

  start(options: SpeedrunOptions): StartResult {
    if (this.status !== 'idle') return { ok: false, reason: 'A benchmark is already running.' };
    let worker: WorkerHandle;
    try {
      worker = this.deps.createWorker();
    } catch (error) {
      this.crash = `The benchmark could not start: ${describe(error)}`;
      this.deps.onStateChange();
      return { ok: false, reason: this.crash };
    }
    this.worker = worker;
    this.events = [];
    this.startedAt = this.isoNow();
    this.crash = null;
    this.status = 'running';
    worker.on('message', (message) => this.receive(worker, message));
    worker.on('error', (error) => this.fail(worker, `The benchmark stopped with an internal error: ${describe(error)}`));
    worker.on('exit', (code) => this.fail(worker, `The benchmark worker quit unexpectedly (exit code ${code}).`));
    worker.postMessage({ type: 'start', options });
    this.deps.onStateChange();
    return { ok: true };
  }

  /** Asks the runner to stop; it unloads what it loaded and reports what it measured so far. */
  stop(graceMs = STOP_GRACE_MS): void {
    const worker = this.worker;
    if (!worker || this.status !== 'running') return;
    this.status = 'stopping';
    worker.postMessage({ type: 'cancel' });
    this.cancelHardStop = this.deps.schedule(graceMs, () =>
      this.end(worker, `The benchmark did not stop within ${graceMs / 1000} s and was ended; models it loaded may still be in memory on the servers.`),
    );
    this.deps.onStateChange();
  }

  /** The hard stop: ends the worker at once, without giving the servers back their state. */
  terminate(): void {
    if (this.worker) this.end(this.worker, 'The benchmark was ended before it finished.');
  }

  /** For quitting: stop, wait for the runner to put the servers back (at most `graceMs`), then end. */
  async shutdown(graceMs: number): Promise<void> {
    if (!this.worker) return;
    const finished = new Promise<void>((resolve) => this.finishedWaiters.add(resolve));
    this.stop(graceMs);
    await finished;
  }

  private receive(worker: WorkerHandle, message: FromWorker): void {
    if (worker !== this.worker) return;
    if (message.type === 'failed') {
      this.fail(worker, `The benchmark failed: ${message.message}`);
      return;
    }
    const { event } = message;
    this.keep(event);
    this.deps.onEvent(event);
    if (event.type === 'bench-done') this.deps.onProgress(runSoFar(this.events, this.startedAt, this.isoNow()));
    else if (event.type === 'done') this.finish(worker, savedRun(this.events, event.report, event.cancelled ? 'stopped' : 'finished'));
  }

  private isoNow(): string {
    return new Date(this.deps.now()).toISOString();
  }

  private keep(event: SpeedrunEvent): void {
    if (event.type === 'bench-progress') {
      this.events = this.events.filter((kept) => !(kept.type === 'bench-progress' && kept.host === event.host));
    } else if (event.type === 'scan-progress') {
      this.events = this.events.filter((kept) => !(kept.type === 'scan-progress' && kept.network === event.network));
    }
    this.events.push(event);
  }

  private finish(worker: WorkerHandle, run: LastRun): void {
    this.release(worker);
    this.deps.onFinished(run);
    this.deps.onStateChange();
    this.wakeWaiters();
  }

  private fail(worker: WorkerHandle, reason: string): void {
    if (worker !== this.worker) return;
    this.end(worker, reason);
  }

  private end(worker: WorkerHandle, reason: string): void {
    if (worker !== this.worker) return;
    this.release(worker);
    this.crash = reason;
    this.deps.onStateChange();
    this.wakeWaiters();
  }

  /** Forgets the worker first, so the `exit` its termination causes is not taken for a crash. */
  private release(worker: WorkerHandle): void {
    this.worker = null;
    this.status = 'idle';
    this.cancelHardStop?.();
    this.cancelHardStop = null;
    worker.terminate().catch(() => undefined);
  }

  private wakeWaiters(): void {
    for (const wake of this.finishedWaiters) wake();
    this.finishedWaiters.clear();
  }
}
