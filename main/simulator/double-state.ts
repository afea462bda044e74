// What every route of one double shares.
import type http from 'node:http';
import type { Clock } from './clock.js';
import type { Scheduler } from './scheduler.js';
import type { ServerFault, SimulatedModel } from './simulated-model.js';

export interface Counters {
  /** Generate requests that Ollama would have forwarded to ollama.com. */
  cloudPrompts: number;
  /** Generations decoding right now (holding a model's slot). */
  running: number;
  peakRunning: number;
}

export interface DoubleState {
  readonly models: readonly SimulatedModel[];
  readonly version: string;
  readonly faults: ReadonlySet<ServerFault>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Newest first, in the order the models were given. */
  readonly modifiedAt: ReadonlyMap<SimulatedModel, number>;
  readonly counters: Counters;
}

/** One request in flight, as a route handler sees it. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: Buffer;
  arrivedAt: number;
  /** Fires when the client (or the double's close()) ends the connection. */
  signal: AbortSignal;
}
