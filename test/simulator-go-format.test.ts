// The double's imitations of Go's formats, which clients parse: durations, quoting, timestamps.
import { describe, expect, it } from 'vitest';
import { goJson, goQuote } from '../main/simulator/go-json.js';
import { formatUtc, parseGoDuration } from '../main/simulator/go-time.js';
import { parseKeepAlive } from '../main/simulator/keep-alive.js';

describe('Go formats', () => {
  it('parses Go durations to nanoseconds', () => {
    expect(parseGoDuration('5m')).toBe(300e9);
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('1.5s')).toBe(1.5e9);
    expect(parseGoDuration('250ms')).toBe(250e6);
    expect(parseGoDuration('-1m')).toBe(-60e9);
    expect(parseGoDuration('0')).toBe(0);
  });

  it("rejects what time.ParseDuration rejects, with Go's messages", () => {
    expect(() => parseGoDuration('300')).toThrow('time: missing unit in duration "300"');
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
  });

  it('reads keep_alive numbers as seconds and anything negative as forever', () => {
    expect(parseKeepAlive(30)).toEqual({ ok: true, ms: 30_000 });
    expect(parseKeepAlive('0')).toEqual({ ok: true, ms: 0 });
    expect(parseKeepAlive(undefined)).toEqual({ ok: true, ms: undefined });
    const forever = parseKeepAlive(-1);
    expect(forever.ok && (forever.ms ?? 0) > 200 * 365 * 86_400_000).toBe(true);
    expect(parseKeepAlive(true)).toEqual({ ok: false, error: "Unsupported type: 'bool'" });
  });

  it('quotes like %q, escaping control characters as \\x', () => {
    expect(goQuote('llama3.2')).toBe('"llama3.2"');
    expect(goQuote('\u001b[31mred"')).toBe('"\\x1b[31mred\\""');
  });

  it('escapes <, > and & in JSON and writes RFC 3339 with trimmed nanoseconds', () => {
    expect(goJson({ a: '<b>&' })).toBe('{"a":"\\u003cb\\u003e\\u0026"}');
    expect(formatUtc(Date.UTC(2024, 7, 5, 17, 21, 21, 196) + 0.249)).toBe('2024-08-05T17:21:21.196249Z');
    expect(formatUtc(Date.UTC(2024, 7, 5, 17, 21, 21))).toBe('2024-08-05T17:21:21Z');
  });
});
