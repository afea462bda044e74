// Where a damaged file goes: beside itself, named by the time it was found damaged, so it is kept
// for a person to look at and never read again by mistake.

/** `report.json.corrupt-2026-12-04T20-00-00-000Z`: sorts by time, and no character a file system refuses. */
export function asidePath(path: string, nowMs: number): string {
  return `${path}.corrupt-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
}
