// Go's time formats: RFC 3339 with nanoseconds (trailing zeros trimmed) and time.ParseDuration.

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function rfc3339Nano(epochMs: number, offsetMinutes: number): string {
  let wholeMs = Math.floor(epochMs);
  // A double holding epoch milliseconds resolves about 0.24 µs: digits below a microsecond are noise.
  let subMsNanos = Math.round((epochMs - wholeMs) * 1e3) * 1e3;
  if (subMsNanos >= 1e6) {
    wholeMs += 1;
    subMsNanos -= 1e6;
  }
  const shifted = new Date(wholeMs + offsetMinutes * 60_000);
  const nanos = shifted.getUTCMilliseconds() * 1e6 + subMsNanos;
  const fraction = nanos === 0 ? '' : `.${pad(nanos, 9).replace(/0+$/, '')}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const zone =
    offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}` +
    `T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}${fraction}${zone}`
  );
}

/** `created_at`: always UTC. */
export function formatUtc(epochMs: number): string {
  return rfc3339Nano(epochMs, 0);
}

/** `modified_at`, `expires_at`: the server's local offset at that instant. */
export function formatLocal(epochMs: number): string {
  return rfc3339Nano(epochMs, -new Date(Math.floor(epochMs)).getTimezoneOffset());
}

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export class GoDurationError extends Error {}

/** time.ParseDuration, in nanoseconds, with Go's error messages (clients show them to users). */
export function parseGoDuration(text: string): number {
  const quoted = `"${text}"`;
  const invalid = () => new GoDurationError(`time: invalid duration ${quoted}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let totalNanos = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2] ?? '';
    if (!number || (whole === '' && fraction === '')) throw invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') throw new GoDurationError(`time: missing unit in duration ${quoted}`);
    const nanosPerUnit = UNIT_NANOS[unit];
    if (nanosPerUnit === undefined) throw new GoDurationError(`time: unknown unit "${unit}" in duration ${quoted}`);
    rest = rest.slice(unit.length);
    totalNanos += Number(`${whole || '0'}.${fraction || '0'}`) * nanosPerUnit;
  }
  return negative ? -totalNanos : totalNanos;
}
