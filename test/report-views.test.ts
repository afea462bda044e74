// The report's other views and its file: CSV, Markdown, the JSON file on disk, and the options that ask for them.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelResult, Report } from '../main/core/report.js';
import { readReportFile, reusableResults, writeReportFile } from '../main/core/report-file.js';
import { buildReport } from '../main/core/speedrun.js';
import { parseCli, UsageError } from '../main/headless/args.js';
import { toCsv, toMarkdown } from '../main/headless/export.js';
import { responseFileName } from '../main/headless/responses.js';
import { terminalSafe } from '../main/headless/sanitize.js';
import { inertJson } from '../main/core/inert-json.js';

function result(model: string, overrides: Partial<ModelResult> = {}): ModelResult {
  return {
    host: 'http://10.0.0.5:11434',
    model,
    digest: 'abc',
    status: 'ok',
    reason: null,
    sizeBytes: 1e9,
    memoryBytes: 1.5e9,
    tier: 'tiny',
    parameterCount: 1e9,
    quantization: 'Q4_K_M',
    loadMs: 100,
    ttftMs: 20,
    tokensPerSec: 100,
    totalTokens: 200,
    wallMs: 2000,
    quality: 0.9,
    score: null,
    flags: [],
    notes: [],
    measurement: null,
    ...overrides,
  };
}

const hostile = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>|\u001b[2J';
const report: Report = buildReport('2026-12-04T20:00:00Z', '2026-12-04T20:01:00Z', [{ url: 'http://10.0.0.5:11434', version: '0.30.1', source: 'flag' }], [
  result('good:1b'),
  result(hostile, { tokensPerSec: 50 }),
  result('embed:latest', { status: 'skipped', reason: 'no completion capability, "embedding"', tokensPerSec: null, quality: null }),
]);

describe('CSV', () => {
  const csv = toCsv(report);
  const lines = csv.trimEnd().split('\r\n');

  it('has a header and one row per result, the recommended one marked', () => {
    expect(lines[0]).toMatch(/^host,model,digest,status,reason,tier,recommended,/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',good:1b,');
    expect(lines[1]).toContain(',true,');
    expect(lines[1]).toMatch(/,false$/);
  });

  it('labels rows from simulated servers', () => {
    const demo = buildReport('a', 'b', [{ url: 'http://10.0.0.5:11434', version: '0.30.1', source: 'demo' }], [result('good:1b')]);
    expect(toCsv(demo).trimEnd().split('\r\n')[1]).toMatch(/,true$/);
  });

  it('quotes commas and quotes, and defuses formulas', () => {
    expect(csv).toContain('"no completion capability, ""embedding"""');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")`);
    expect(csv).not.toMatch(/,=HYPERLINK/);
  });
});

describe('Markdown', () => {
  const markdown = toMarkdown(report);

  it('has a section per tier and the reasons of unmeasured models', () => {
    for (const label of ['Tiny (<2 GB)', 'Small (2-4 GB)', 'XL (16+ GB)']) expect(markdown).toContain(`## ${label}`);
    expect(markdown).toContain('**recommended** | good:1b');
    expect(markdown).toContain('skipped: embed:latest');
  });

  it('shows hostile names as text, never as markup or escape sequences', () => {
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(markdown).not.toContain('\u001b');
  });
});

describe('terminal text', () => {
  it('makes escape sequences and control characters visible instead of obeying them', () => {
    expect(terminalSafe('evil\u001b[2J\u001b]0;pwned\u0007name\r\n')).toBe('evil\\u{1b}\\u{5b}\\u{32}\\u{4a}\\u{1b}\\u{5d}\\u{30}\\u{3b}\\u{70}\\u{77}\\u{6e}\\u{65}\\u{64}\\u{7}name\\u{d}\\u{a}');
    expect(terminalSafe('llama3.2:1b')).toBe('llama3.2:1b');
  });
});

describe('JSON for files and stdout', () => {
  it('escapes what a terminal would obey and reads back the same', () => {
    const name = 'a\u009b2Jb\u202ec\u2028d\u007f';
    const json = inertJson({ name });
    expect(json).not.toMatch(/[\u007f-\u009f\u2028\u202e]/);
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual({ name });
  });
});

describe('the report file', () => {
  it('is written whole, and read back', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'speedrun-report-'));
    const file = path.join(directory, 'report.json');
    await writeReportFile(file, report);
    await writeReportFile(file, report);
    expect(await readdir(directory)).toEqual(['report.json']);
    const read = await readReportFile(file);
    expect(read.kind).toBe('read');
    if (read.kind === 'read') expect(reusableResults(read.report).map((entry) => entry.model)).toEqual(['good:1b', hostile]);
  });

  it('is moved aside, not fatal, when it is not a report', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'speedrun-report-'));
    const file = path.join(directory, 'report.json');
    await writeFile(file, '{"schemaVersion": 1, "results": [tru');
    const read = await readReportFile(file, Date.parse('2026-12-04T20:00:00Z'));
    expect(read).toMatchObject({ kind: 'moved-aside', reason: 'not valid JSON' });
    expect(await readdir(directory)).toEqual(['report.json.corrupt-2026-12-04T20-00-00-000Z']);
    expect(await readFile(path.join(directory, 'report.json.corrupt-2026-12-04T20-00-00-000Z'), 'utf8')).toContain('[tru');
    expect(await readReportFile(file)).toEqual({ kind: 'missing' });
  });
});

describe('saved answer file names', () => {
  it('stay inside their folder whatever the model is called', () => {
    for (const model of ['../../etc/passwd', '..', '/abs', 'a\\b']) {
      const name = responseFileName('http://10.0.0.5:11434', model);
      expect(path.basename(name)).toBe(name);
      expect(name.startsWith('10.0.0.5_11434__')).toBe(true);
    }
  });
});

describe('options', () => {
  it('takes --runs auto and the output formats', () => {
    expect(parseCli(['--runs', 'auto']).runs).toBe('auto');
    expect(parseCli(['--json']).format).toBe('json');
    expect(parseCli(['--format', 'csv']).format).toBe('csv');
    expect(parseCli([]).format).toBe('table');
  });

  it('refuses what it cannot do', () => {
    expect(() => parseCli(['--format', 'xml'])).toThrow(UsageError);
    expect(() => parseCli(['--json', '--format', 'csv'])).toThrow(UsageError);
    expect(() => parseCli(['--max-tokens', '0'])).toThrow(/--max-tokens/);
    expect(() => parseCli(['--bogus'])).toThrow(UsageError);
  });
});
