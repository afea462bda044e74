// Packaging figures for `npm run bench`: the size of each headless executable (plain and gzipped,
// and what it adds to the stripped Node runtime it carries), and how fast the native one starts
// against plain `node` running the same bundle. Goal: at most the runtime + 5 MB, and no slower.
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const root = join(import.meta.dirname, '..');
const VERSION_RUNS = 11;

export const PACKAGING_GOALS = { addedBytesMax: 5_000_000, versionTimeRatioMax: 1 };

export interface PackagingBench {
  x64SizeBytes: number;
  x64GzipBytes: number;
  x64AddedBytes: number;
  arm64SizeBytes: number;
  arm64GzipBytes: number;
  arm64AddedBytes: number;
  /** Median wall time of `dist/ollama-speedrun-linux-x64 --version`. */
  versionMsExecutable: number;
  /** Median wall time of `node dist/headless.cjs --version`, with the node that runs the bench. */
  versionMsPlainNode: number;
  /** versionMsExecutable / versionMsPlainNode: below 1 the executable starts faster. */
  versionTimeRatio: number;
}

interface SeaStamp {
  executables: Record<'x64' | 'arm64', { path: string; sizeBytes: number; runtimeSizeBytes: number }>;
}

async function gzipBytes(path: string): Promise<number> {
  let bytes = 0;
  const counter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(createReadStream(path), createGzip(), counter);
  return bytes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(file: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: root, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Median start-up of each command; runs alternate so a busy moment of the machine hits both alike. */
function medianStartMs(commands: [string, string[]][], runs: number): number[] {
  const samples = commands.map(() => [] as number[]);
  for (const [file, args] of commands) timeMs(file, args); // warm the page cache
  for (let run = 0; run < runs; run++) {
    commands.forEach(([file, args], i) => samples[i]!.push(timeMs(file, args)));
  }
  return samples.map(median);
}

export async function benchPackaging(): Promise<PackagingBench> {
  const build = spawnSync(process.execPath, ['scripts/build-headless-sea.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('scripts/build-headless-sea.mjs failed (see above)');
  const { executables } = JSON.parse(await readFile(join(root, 'dist/headless-sea.json'), 'utf8')) as SeaStamp;
  const { x64, arm64 } = executables;

  const [versionMsExecutable, versionMsPlainNode] = medianStartMs(
    [
      [join(root, x64.path), ['--version']],
      [process.execPath, ['dist/headless.cjs', '--version']],
    ],
    VERSION_RUNS,
  ) as [number, number];

  return {
    x64SizeBytes: x64.sizeBytes,
    x64GzipBytes: await gzipBytes(join(root, x64.path)),
    x64AddedBytes: x64.sizeBytes - x64.runtimeSizeBytes,
    arm64SizeBytes: arm64.sizeBytes,
    arm64GzipBytes: await gzipBytes(join(root, arm64.path)),
    arm64AddedBytes: arm64.sizeBytes - arm64.runtimeSizeBytes,
    versionMsExecutable,
    versionMsPlainNode,
    versionTimeRatio: versionMsExecutable / versionMsPlainNode,
  };
}
