// Which models are resident, as server/sched.go decides it: requests are admitted one at a time
// (a cold load holds up the line), at most `maxLoaded` models stay resident and the idle one used
// longest ago makes room, each model runs `numParallel` generations at once and queues the rest
// silently, and a model unloads when its keep-alive runs out after its last request.
import { sleepUntil, type Clock } from './clock.js';
import { DEFAULT_KEEP_ALIVE_MS } from './keep-alive.js';
import type { SimulatedModel } from './simulated-model.js';

/** setTimeout cannot wait longer; a keep-alive beyond it (e.g. "forever") just never fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LoadedModel {
  model: SimulatedModel;
  contextLength: number;
  expiresAt: number;
}

interface Runner extends LoadedModel {
  sessionMs: number;
  lastUsedAt: number;
  /** Requests holding the model resident, running or queued. */
  holders: number;
  running: number;
  queue: Array<() => void>;
  expiry: NodeJS.Timeout | undefined;
}

export interface Reservation {
  /** The model had to be loaded for this request. */
  readonly cold: boolean;
  /** Waits for a free slot on the model; false when `signal` fired first. */
  acquireSlot(signal: AbortSignal): Promise<boolean>;
  /** Gives back the slot (if held) and the hold on the model. Safe to call twice. */
  release(): void;
}

export interface SchedulerOptions {
  clock: Clock;
  maxLoaded: number;
  numParallel: number;
}

export class Scheduler {
  private readonly runners = new Map<string, Runner>();
  private admissions: Promise<unknown> = Promise.resolve();
  private changeWaiters: Array<() => void> = [];

  constructor(private readonly options: SchedulerOptions) {}

  loaded(): LoadedModel[] {
    return [...this.runners.values()].map(({ model, contextLength, expiresAt }) => ({ model, contextLength, expiresAt }));
  }

  /** Makes a model resident at once, without load time (models loaded before the double started). */
  preload(model: SimulatedModel, contextLength: number): void {
    const runner = this.newRunner(model, contextLength, DEFAULT_KEEP_ALIVE_MS);
    this.runners.set(model.name, runner);
    this.becameIdle(runner);
  }

  /**
   * Holds `model` resident for a request, loading it first if needed. `keepAliveMs` undefined
   * keeps the model's current keep-alive (or the default for a fresh load). Resolves null when
   * `signal` fires while the request is still waiting for room.
   */
  reserve(model: SimulatedModel, keepAliveMs: number | undefined, contextLength: number, signal: AbortSignal): Promise<Reservation | null> {
    const admitted = this.admissions.then(() => this.admit(model, keepAliveMs, contextLength, signal));
    this.admissions = admitted.catch(() => undefined);
    return admitted;
  }

  /** `keep_alive: 0` with an empty prompt: unload now, or as soon as the model goes idle. */
  expire(model: SimulatedModel): void {
    const runner = this.runners.get(model.name);
    if (!runner) return;
    runner.sessionMs = 0;
    if (runner.holders === 0) this.unload(runner);
  }

  close(): void {
    for (const runner of this.runners.values()) clearTimeout(runner.expiry);
    this.runners.clear();
    this.notifyChange();
  }

  private async admit(
    model: SimulatedModel,
    keepAliveMs: number | undefined,
    contextLength: number,
    signal: AbortSignal,
  ): Promise<Reservation | null> {
    for (;;) {
      if (signal.aborted) return null;
      const resident = this.runners.get(model.name);
      if (resident) {
        this.hold(resident, keepAliveMs);
        return this.reservation(resident, false);
      }
      if (this.runners.size >= this.options.maxLoaded) {
        const idle = [...this.runners.values()].filter((runner) => runner.holders === 0);
        idle.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
        const [leastRecentlyUsed] = idle;
        if (leastRecentlyUsed) this.unload(leastRecentlyUsed);
        else await this.nextChange(signal);
        continue;
      }
      const { clock } = this.options;
      await sleepUntil(clock, clock.now() + model.loadMs, undefined, true);
      const runner = this.newRunner(model, contextLength, keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
      this.runners.set(model.name, runner);
      this.hold(runner, keepAliveMs);
      return this.reservation(runner, true);
    }
  }

  private newRunner(model: SimulatedModel, contextLength: number, sessionMs: number): Runner {
    const now = this.options.clock.now();
    return {
      model,
      contextLength,
      sessionMs,
      expiresAt: now + sessionMs,
      lastUsedAt: now,
      holders: 0,
      running: 0,
      queue: [],
      expiry: undefined,
    };
  }

  private hold(runner: Runner, keepAliveMs: number | undefined): void {
    runner.holders++;
    clearTimeout(runner.expiry);
    runner.expiry = undefined;
    if (keepAliveMs !== undefined) runner.sessionMs = keepAliveMs;
  }

  private reservation(runner: Runner, cold: boolean): Reservation {
    let holding = true;
    let slotHeld = false;
    return {
      cold,
      acquireSlot: (signal) => {
        if (signal.aborted) return Promise.resolve(false);
        if (runner.running < this.options.numParallel) {
          runner.running++;
          slotHeld = true;
          return Promise.resolve(true);
        }
        return new Promise<boolean>((resolve) => {
          const grant = () => {
            slotHeld = true;
            signal.removeEventListener('abort', abandon);
            resolve(true);
          };
          const abandon = () => {
            runner.queue = runner.queue.filter((waiter) => waiter !== grant);
            resolve(false);
          };
          runner.queue.push(grant);
          signal.addEventListener('abort', abandon, { once: true });
        });
      },
      release: () => {
        if (slotHeld) {
          slotHeld = false;
          const next = runner.queue.shift();
          // The slot passes straight to the next in line, so `running` stays put.
          if (next) next();
          else runner.running--;
        }
        if (!holding) return;
        holding = false;
        runner.holders--;
        runner.lastUsedAt = this.options.clock.now();
        if (runner.holders === 0) this.becameIdle(runner);
        this.notifyChange();
      },
    };
  }

  private becameIdle(runner: Runner): void {
    if (runner.sessionMs <= 0) {
      this.unload(runner);
      return;
    }
    runner.expiresAt = this.options.clock.now() + runner.sessionMs;
    if (runner.sessionMs <= MAX_TIMER_MS) {
      runner.expiry = setTimeout(() => this.unload(runner), runner.sessionMs);
      runner.expiry.unref();
    }
  }

  private unload(runner: Runner): void {
    clearTimeout(runner.expiry);
    if (this.runners.get(runner.model.name) === runner) this.runners.delete(runner.model.name);
    this.notifyChange();
  }

  private nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.changeWaiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private notifyChange(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const wake of waiters) wake();
  }
}
