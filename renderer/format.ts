// How the popover writes figures: the core's formatters (one definition for every view), plus
// the age of a report.
export { formatBytes, formatMs, formatRate, formatScore, shortHost } from '../main/core/format.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`; the exact time goes in a tooltip. */
export function age(isoTime: string, nowMs: number): string {
  const elapsed = nowMs - Date.parse(isoTime);
  if (!Number.isFinite(elapsed)) return 'at an unknown time';
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  const days = Math.floor(elapsed / DAY);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}
