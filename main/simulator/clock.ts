// Time for the double. Token deadlines, timestamps and reported durations all come from one
// clock, so a test may shift it (to pin `modified_at`, say); it must still advance in real time,
// because the waits between tokens are real timers.

export interface Clock {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision. */
  now(): number;
}

/** `Date.now()` has whole milliseconds; a token schedule at 5,000 tok/s needs finer. */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** How long before a precise deadline the timer hands over to polling. */
const POLL_MARGIN_MS = 1;

function timer(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(handle);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const handle = setTimeout(finish, ms);
    signal?.addEventListener('abort', finish, { once: true });
  });
}

/**
 * Resolves at (or just after) an absolute deadline, or as soon as `signal` aborts. Waiting for a
 * deadline rather than a delay is what keeps a long token stream from drifting.
 *
 * Node timers fire up to ~2 ms late. A `precise` wait (the end of a load, the first and last
 * tokens, the final chunk: the moments a client measures TTFT and rate between) lets the timer run
 * until a millisecond before the deadline and polls out the rest with setImmediate, which still
 * lets I/O through. That costs up to a millisecond of CPU per wait, so the waits between tokens,
 * whose common lateness cancels out of a measured rate, are not precise.
 */
export async function sleepUntil(clock: Clock, deadlineMs: number, signal?: AbortSignal, precise = false): Promise<void> {
  const delayMs = deadlineMs - clock.now();
  if (delayMs <= 0 || signal?.aborted) return;
  if (!precise) return timer(Math.ceil(delayMs), signal);
  if (delayMs > POLL_MARGIN_MS) await timer(Math.floor(delayMs - POLL_MARGIN_MS), signal);
  while (clock.now() < deadlineMs && !signal?.aborted) await new Promise((resolve) => setImmediate(resolve));
}
