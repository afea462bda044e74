// How figures are written for people, in every view (terminal, Markdown, popover): decimal GB
// like `ollama list`, one decimal for rates.

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

export function formatParameters(count: number | null): string {
  if (count === null) return '-';
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}

export function formatRate(tokensPerSec: number | null): string {
  return tokensPerSec === null ? '-' : tokensPerSec.toFixed(1);
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatScore(score: number | null): string {
  return score === null ? '-' : score.toFixed(1);
}

/** `http://192.168.1.20:11434` -> `192.168.1.20:11434`: the scheme adds nothing in a table. */
export function shortHost(url: string): string {
  return url.replace(/^http:\/\//, '');
}
