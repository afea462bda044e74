// The final terminal view: one table per memory tier, the recommended model marked, then the
// models that were skipped or failed with their reasons. Built only from the Report.
import { styleText } from 'node:util';
import type { ModelResult, Report, TierSummary } from '../core/report.js';
import { formatBytes, formatMs, formatParameters, formatRate, formatScore, shortHost } from '../core/format.js';
import { terminalSafe } from './sanitize.js';

type Style = Parameters<typeof styleText>[0];
export type Paint = (style: Style, text: string) => string;

export function painter(colour: boolean): Paint {
  return colour ? (style, text) => styleText(style, text) : (_style, text) => text;
}

const COLUMNS = ['Model', 'Host', 'Size', 'Params', 'Tokens/sec', 'TTFT', 'Score'] as const;
const RIGHT_ALIGNED = new Set<string>(['Size', 'Params', 'Tokens/sec', 'TTFT', 'Score']);
const RECOMMENDED_MARK = '*';

function hostName(url: string, hostLabels: ReadonlyMap<string, string>): string {
  const label = hostLabels.get(url);
  return terminalSafe(label ? `${shortHost(url)} (${label})` : shortHost(url));
}

function rowOf(result: ModelResult, recommended: boolean, hostLabels: ReadonlyMap<string, string>): string[] {
  return [
    `${recommended ? RECOMMENDED_MARK : ' '} ${terminalSafe(result.model)}`,
    hostName(result.host, hostLabels),
    formatBytes(result.memoryBytes ?? result.sizeBytes),
    formatParameters(result.parameterCount),
    formatRate(result.tokensPerSec),
    formatMs(result.ttftMs),
    formatScore(result.score),
  ];
}

function renderTier(summary: TierSummary, results: ModelResult[], paint: Paint, hostLabels: ReadonlyMap<string, string>): string {
  const title = paint('bold', summary.label);
  const key = (host: string, model: string) => `${host}\u0000${model}`;
  const byKey = new Map(results.map((result) => [key(result.host, result.model), result]));
  const ranked = summary.ranked.map((entry) => byKey.get(key(entry.host, entry.model))).filter((r): r is ModelResult => r !== undefined);
  if (ranked.length === 0) return `${title}\n  ${paint('dim', 'no model measured in this tier')}\n`;

  const rows = ranked.map((result, index) => rowOf(result, index === 0, hostLabels));
  const widths = COLUMNS.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const pad = (cells: readonly string[]) =>
    cells.map((cell, i) => (RIGHT_ALIGNED.has(COLUMNS[i] ?? '') ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  const lines = [
    title,
    '  ' + paint('dim', pad(COLUMNS.map((c, i) => (i === 0 ? `  ${c}` : c)))),
    ...rows.map((row, index) => '  ' + (index === 0 ? paint('green', pad(row)) : pad(row))),
    // A flagged figure is published with its caveat, never silently.
    ...ranked
      .filter((result) => result.flags.length > 0)
      .map((result) => paint('yellow', `  ! ${terminalSafe(result.model)}: ${result.flags.join(', ')}: ${terminalSafe(result.notes.join('; '))}`)),
  ];
  return lines.join('\n') + '\n';
}

export function renderReport(report: Report, paint: Paint, hostLabels: ReadonlyMap<string, string> = new Map()): string {
  const sections = report.tiers.map((summary) => renderTier(summary, report.results, paint, hostLabels));
  const unmeasured = report.results.filter((result) => result.status !== 'ok');
  if (unmeasured.length > 0) {
    const lines = unmeasured.map((result) => {
      const status = result.status === 'failed' ? paint('red', 'failed ') : paint('yellow', 'skipped');
      return `  ${status} ${terminalSafe(result.model)} on ${hostName(result.host, hostLabels)}: ${terminalSafe(result.reason ?? '')}`;
    });
    sections.push([paint('bold', 'Not measured'), ...lines].join('\n') + '\n');
  }
  const recommended = report.tiers.filter((tier) => tier.recommended);
  sections.push(
    recommended.length > 0
      ? `${RECOMMENDED_MARK} recommended in its tier (score = 100 x quality x (0.4 + 0.6 x speed within the tier))\n`
      : `${paint('yellow', 'No model could be measured, so nothing is recommended.')}\n`,
  );
  return sections.join('\n');
}
