// Markdown and CSV views of the same report. Names in them are untrusted text: Markdown gets
// them with markup characters escaped, CSV with formula-starting characters defused, so a model
// called `=HYPERLINK(...)` or `<img onerror=...>` is shown, never run.
import type { ModelResult, Report } from '../core/report.js';
import { formatBytes, formatMs, formatParameters, formatRate, formatScore, shortHost } from '../core/format.js';
import { terminalSafe } from './sanitize.js';

const CSV_COLUMNS = [
  'host',
  'model',
  'digest',
  'status',
  'reason',
  'tier',
  'recommended',
  'sizeBytes',
  'memoryBytes',
  'parameterCount',
  'quantization',
  'loadMs',
  'ttftMs',
  'tokensPerSec',
  'totalTokens',
  'wallMs',
  'quality',
  'score',
  'flags',
  'simulated',
] as const;

function isRecommended(report: Report, result: ModelResult): boolean {
  const tier = report.tiers.find((summary) => summary.tier === result.tier);
  return tier?.recommended?.host === result.host && tier.recommended.model === result.model;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join(' ') : String(value);
  // A cell a spreadsheet would read as a formula is prefixed, as OWASP advises for CSV injection.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(report: Report): string {
  // `--demo` servers are labelled in every view, a spreadsheet row included.
  const simulatedHosts = new Set(report.hosts.filter((host) => host.source === 'demo').map((host) => host.url));
  const rows = report.results.map((result) => {
    const record: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      ...result,
      recommended: isRecommended(report, result),
      simulated: simulatedHosts.has(result.host),
    };
    return CSV_COLUMNS.map((column) => csvCell(record[column])).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function markdownText(text: string): string {
  return terminalSafe(text)
    .replace(/[&<>]/g, (char) => HTML_ENTITIES[char] ?? char)
    .replace(/[\\`*_{}[\]()#+!|~]/g, (char) => `\\${char}`);
}

export function toMarkdown(report: Report): string {
  const simulated = report.hosts.some((host) => host.source === 'demo');
  const lines = [
    '# Ollama Speedrun report',
    '',
    `${report.tool.name} ${report.tool.version}, ${report.startedAt} to ${report.finishedAt}.`,
    simulated ? '\n**Simulated demo: these figures come from simulated servers, not real models.**' : '',
    '',
    `Servers: ${report.hosts.map((host) => `${markdownText(shortHost(host.url))} (Ollama ${markdownText(host.version)})`).join(', ') || 'none'}.`,
    '',
  ];
  for (const tier of report.tiers) {
    lines.push(`## ${tier.label}`, '');
    if (tier.ranked.length === 0) {
      lines.push('No model measured in this tier.', '');
      continue;
    }
    lines.push('| | Model | Host | Size | Params | Tokens/sec | TTFT | Score | Flags |', '|---|---|---|---:|---:|---:|---:|---:|---|');
    for (const entry of tier.ranked) {
      const result = report.results.find((r) => r.host === entry.host && r.model === entry.model);
      if (!result) continue;
      lines.push(
        `| ${isRecommended(report, result) ? '**recommended**' : ''} | ${markdownText(result.model)} | ${markdownText(shortHost(result.host))} | ${formatBytes(result.memoryBytes ?? result.sizeBytes)} | ${formatParameters(result.parameterCount)} | ${formatRate(result.tokensPerSec)} | ${formatMs(result.ttftMs)} | ${formatScore(result.score)} | ${result.flags.join(', ')} |`,
      );
    }
    lines.push('');
  }
  const unmeasured = report.results.filter((result) => result.status !== 'ok');
  if (unmeasured.length > 0) {
    lines.push('## Not measured', '');
    for (const result of unmeasured) {
      lines.push(`- ${result.status}: ${markdownText(result.model)} on ${markdownText(shortHost(result.host))}: ${markdownText(result.reason ?? '')}`);
    }
    lines.push('');
  }
  lines.push('Score = 100 x quality x (0.4 + 0.6 x speed within the tier).', '');
  return lines.filter((line, index, all) => !(line === '' && all[index - 1] === '')).join('\n');
}
