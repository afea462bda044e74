// The report on disk (`--output`, `--resume`). Written atomically (a temporary file, then a
// rename) each time a model finishes, so a crash or power cut loses at most the model in flight
// and never leaves half a file. A file that does not read as a report is moved aside, not fatal.
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { asidePath } from './aside.js';
import { inertJson } from './inert-json.js';
import { TIERS, type ModelResult, type Report } from './report.js';

const nullableNumber = z.number().finite().nullable();

/** The parts of a result that resuming relies on; the rest is carried over as it was written. */
const resultSchema = z
  .object({
    host: z.string(),
    model: z.string(),
    digest: z.string(),
    status: z.enum(['ok', 'failed', 'skipped']),
    reason: z.string().nullable(),
    sizeBytes: z.number().nonnegative(),
    memoryBytes: nullableNumber,
    tier: z.enum(TIERS),
    parameterCount: nullableNumber,
    quantization: z.string().nullable(),
    loadMs: nullableNumber,
    ttftMs: nullableNumber,
    tokensPerSec: nullableNumber,
    totalTokens: nullableNumber,
    wallMs: nullableNumber,
    quality: nullableNumber,
    score: nullableNumber,
    flags: z.array(z.enum(['contended', 'throttling?', 'unstable'])).default([]),
    notes: z.array(z.string()).default([]),
    measurement: z.object({}).passthrough().nullable().default(null),
  })
  .passthrough();

const reportSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z.object({ name: z.string(), version: z.string() }),
    startedAt: z.string(),
    finishedAt: z.string(),
    hosts: z.array(z.object({ url: z.string(), version: z.string(), source: z.string() }).passthrough()),
    results: z.array(resultSchema),
    tiers: z.array(z.object({}).passthrough()),
  })
  .passthrough();

export async function writeReportFile(path: string, report: Report): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, inertJson(report), { mode: 0o644 });
  await rename(temporary, path);
}

export type ReadReportOutcome =
  | { kind: 'read'; report: Report }
  | { kind: 'missing' }
  /** The file did not hold a report; it now sits at `movedTo`. */
  | { kind: 'moved-aside'; reason: string; movedTo: string };

export async function readReportFile(path: string, nowMs: number = Date.now()): Promise<ReadReportOutcome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let reason: string;
  try {
    const parsed = reportSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: 'read', report: parsed.data as unknown as Report };
    reason = `not a report of this tool (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'unexpected shape'})`;
  } catch {
    reason = 'not valid JSON';
  }
  const movedTo = asidePath(path, nowMs);
  await rename(path, movedTo);
  return { kind: 'moved-aside', reason, movedTo };
}

/** Results a resumed run may reuse: measured, on the same host, model and digest. */
export function reusableResults(report: Report): ModelResult[] {
  return report.results.filter((result) => result.status === 'ok' && result.digest !== '');
}
