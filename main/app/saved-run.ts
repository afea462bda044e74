// A run as the store keeps it, folded from the runner's events: at the end around the core's own
// report, and while it runs around a report the core builds from the results so far, so a crash or
// a power cut loses at most the model in flight. Nothing here scores or ranks.
import type { SpeedrunEvent } from '../core/events.js';
import type { Report } from '../core/report.js';
import { buildReport } from '../core/speedrun.js';
import type { LastRun, RunEnd } from '../contract.js';

/** The report with what discovery advised and what went wrong along the way. */
export function savedRun(events: readonly SpeedrunEvent[], report: Report, end: RunEnd): LastRun {
  const run: LastRun = { report, end, advice: [], failedHosts: [], warnings: [] };
  for (const event of events) {
    if (event.type === 'discovery-done') run.advice = event.advice;
    else if (event.type === 'host-failed') run.failedHosts.push({ url: event.url, reason: event.reason });
    else if (event.type === 'warning') run.warnings.push(event.message);
  }
  return run;
}

/**
 * The run so far, saved as `interrupted`: if the app never gets to replace it with the finished
 * run, the next launch shows it for what it is.
 */
export function runSoFar(events: readonly SpeedrunEvent[], startedAt: string, now: string): LastRun {
  const hosts = events.flatMap((event) => (event.type === 'host-found' ? [event.host] : []));
  const results = events.flatMap((event) => (event.type === 'bench-done' ? [event.result] : []));
  return savedRun(events, buildReport(startedAt, now, hosts, results), 'interrupted');
}

/**
 * Whether a run should replace the saved one. A run that measured no model yet (only skipped or
 * failed ones), and that did not finish, would only hide the previous complete results.
 */
export function worthKeeping(run: LastRun): boolean {
  return run.end === 'finished' || run.report.results.some((result) => result.status === 'ok');
}
