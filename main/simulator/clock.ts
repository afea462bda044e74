// Time for the double. Token deadlines, timestamps and reported durations all come from one
// clock, so a test may shift it (to pin `modified_at`, say); it must still advance in real time,
// because the waits between tokens are real timers.

export interface Clock {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision. */
  now(): number;
}

/** `Date.now()` has whole milliseconds; a token schedule at 5,000 tok/s needs finer. */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/**
 * Resolves at (or just after) an absolute deadline, or as soon as `signal` aborts.
 * Waiting for a deadline rather than a delay is what keeps a long token stream from drifting.
 */
export function sleepUntil(clock: Clock, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const delayMs = deadlineMs - clock.now();
  if (delayMs <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    // Rounded up: a timer that fires early only costs another trip round the loop.
    const timer = setTimeout(finish, Math.ceil(delayMs));
    signal?.addEventListener('abort', finish, { once: true });
  });
}
