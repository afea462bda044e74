// The `keep_alive` field of a generate request, decoded the way api.Duration.UnmarshalJSON does.
import { GoDurationError, parseGoDuration } from './go-time.js';

/** OLLAMA_KEEP_ALIVE's default. */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

/** A negative keep_alive becomes Go's largest duration (math.MaxInt64 ns, about 292 years). */
const FOREVER_MS = 9_223_372_036_854.775;

export type KeepAlive = { ok: true; ms: number | undefined } | { ok: false; error: string };

function goTypeName(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** `ms` is undefined when the request did not say, so the model keeps its current setting. */
export function parseKeepAlive(value: unknown): KeepAlive {
  if (value === undefined || value === null) return { ok: true, ms: undefined };
  if (typeof value === 'number') return { ok: true, ms: value < 0 ? FOREVER_MS : value * 1000 };
  if (typeof value === 'string') {
    try {
      const nanos = parseGoDuration(value);
      return { ok: true, ms: nanos < 0 ? FOREVER_MS : nanos / 1e6 };
    } catch (error) {
      if (error instanceof GoDurationError) return { ok: false, error: error.message };
      throw error;
    }
  }
  return { ok: false, error: `Unsupported type: '${goTypeName(value)}'` };
}
