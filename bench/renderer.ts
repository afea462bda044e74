// The popover's budget, for `npm run bench`: its JS+CSS gzipped (goal under 60 KB), and the time
// from the results event (`done`) to a painted results view in Chromium (goal under 50 ms). Builds
// the app as `npm run build` does and measures the files that ship.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildApp, openPopover, serveFolder } from '../test/renderer/chromium.js';
import { loadRecordedRun } from '../test/renderer/recorded-run.js';

export const RENDERER_GOALS = { totalGzipBytes: 60_000, resultsPaintMs: 50 };

export interface RendererBench {
  jsGzipBytes: number;
  cssGzipBytes: number;
  totalGzipBytes: number;
  /** From dispatching `done` to the first task after the frame that shows the results (rAF, then a task). */
  resultsPaintMs: { median: number; max: number; samples: number[] };
  goals: typeof RENDERER_GOALS;
}

async function gzipBytes(file: string): Promise<number> {
  return gzipSync(await readFile(file), { level: 9 }).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** In the page: replays the run up to `done`, lets it paint, then times `done` to the painted results. */
function timeResultsPaint(): Promise<number> {
  interface Stub {
    events: unknown[];
    playUntil(index: number): void;
  }
  const stub = (window as unknown as { __stub: Stub }).__stub;
  stub.playUntil(stub.events.length - 1);
  return new Promise((resolve, reject) => {
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const started = performance.now();
        stub.playUntil(stub.events.length);
        requestAnimationFrame(() => {
          if (!document.querySelector('.results .tier')) reject(new Error('the results were not rendered by the next frame'));
          setTimeout(() => resolve(performance.now() - started), 0);
        });
      }),
    );
  });
}

async function timeResults(renderer: string, samples: number): Promise<number[]> {
  const served = await serveFolder(renderer);
  const popover = await openPopover(served.url, loadRecordedRun());
  const timings: number[] = [];
  try {
    for (let sample = 0; sample < samples; sample++) {
      await popover.page.reload();
      await popover.page.getByRole('button', { name: 'Run benchmark' }).first().click();
      timings.push(await popover.page.evaluate(timeResultsPaint));
    }
  } finally {
    await popover.close();
    await served.close();
  }
  return timings;
}

export async function benchRenderer(options: { samples?: number } = {}): Promise<RendererBench> {
  const built = await buildApp();
  try {
    const [jsGzipBytes, cssGzipBytes] = await Promise.all([gzipBytes(join(built.renderer, 'main.js')), gzipBytes(join(built.renderer, 'style.css'))]);
    const timings = (await timeResults(built.renderer, options.samples ?? 15)).map((ms) => Math.round(ms * 10) / 10);
    return {
      jsGzipBytes,
      cssGzipBytes,
      totalGzipBytes: jsGzipBytes + cssGzipBytes,
      resultsPaintMs: { median: median(timings), max: Math.max(...timings), samples: timings },
      goals: RENDERER_GOALS,
    };
  } finally {
    await built.remove();
  }
}
