// End to end in real Chromium: the built popover, served over http on 127.0.0.1, with the stub
// bridge replaying the run recorded from the core runner against the Ollama doubles
// (test/fixtures/recorded-run.json), from Start to the results. Saves the screenshots in docs/.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildApp, openPopover, serveFolder, type BuiltApp, type Popover, type Served } from './chromium.js';
import { loadRecordedRun } from './recorded-run.js';

const recorded = loadRecordedRun();
const events = recorded.events.map((entry) => entry.event);
const DOCS = join(ROOT, 'docs');
const [laptop] = recorded.servers;

/** A moment with both servers generating and a few models measured: the running screenshot. */
const RUNNING_AT = (() => {
  const latest = new Map<string, { generating: boolean; tokens: number }>();
  let measured = 0;
  for (const [index, event] of events.entries()) {
    if (event.type === 'bench-done' && event.result.status === 'ok') measured++;
    if (event.type === 'bench-start') latest.set(event.host, { generating: false, tokens: 0 });
    if (event.type !== 'bench-progress') continue;
    latest.set(event.host, { generating: event.stage === 'generate' && event.tokensPerSec !== null, tokens: event.tokens });
    const both = [...latest.values()];
    if (measured >= 3 && both.length === 2 && both.every((host) => host.generating && host.tokens > 50)) return index + 1;
  }
  throw new Error('the recording has no moment with both servers generating');
})();

const finishedAt = (() => {
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('the recording must end with done');
  return Date.parse(done.report.finishedAt);
})();

let built: BuiltApp;
let served: Served;
let popover: Popover;

/** The page's clock stands a little after the recorded run, so its results read "just now". */
async function open(colorScheme: 'light' | 'dark' = 'light'): Promise<Popover> {
  const opened = await openPopover(served.url, recorded, colorScheme);
  await opened.page.clock.setFixedTime(finishedAt + 20_000);
  return opened;
}

beforeAll(async () => {
  built = await buildApp();
  await mkdir(DOCS, { recursive: true });
  served = await serveFolder(built.renderer);
  popover = await open();
}, 120_000);

afterAll(async () => {
  await popover?.close();
  await served?.close();
  await built?.remove();
});

type Calls = [string, ...unknown[]][];
const calls = () => popover.page.evaluate(() => (window as unknown as { __stub: { calls: Calls } }).__stub.calls);
const play = (until?: number) =>
  popover.page.evaluate((index) => {
    const stub = (window as unknown as { __stub: { playUntil(index: number): void; playAll(): void } }).__stub;
    if (index === null) stub.playAll();
    else stub.playUntil(index);
  }, until ?? null);

describe('the popover in Chromium, replaying a recorded run', () => {
  it('starts on the welcome and asks main to start a run', async () => {
    const { page } = popover;
    await page.getByRole('heading', { name: 'Which model runs best here?' }).waitFor();
    await page.getByRole('button', { name: 'Run benchmark' }).first().click();
    expect(await calls()).toEqual([['start']]);
  });

  it('shows the live run: phase, servers with their model, n of m and tokens/sec', async () => {
    const { page } = popover;
    await play(RUNNING_AT);
    await page.locator('.activity').nth(1).waitFor();
    expect(await page.locator('.phases [aria-current="step"]').textContent()).toBe('Measure');
    const progress = events.slice(0, RUNNING_AT).findLast((event) => event.type === 'bench-progress');
    if (progress?.type !== 'bench-progress') throw new Error('no progress in the replayed part');
    const card = page.locator('.activity', { hasText: progress.model });
    expect(await card.textContent()).toContain(progress.tokensPerSec?.toFixed(1));
    expect(await card.textContent()).toMatch(/\d of 5 models/);
    await page.screenshot({ path: join(DOCS, 'popover-running.png') });
  });

  it('shows one card per tier when the results arrive', async () => {
    const { page } = popover;
    await play();
    await page.locator('.tier').nth(4).waitFor();
    expect(await page.locator('.tier h2').allTextContents()).toEqual(['Tiny (<2 GB)', 'Small (2-4 GB)', 'Medium (4-8 GB)', 'Large (8-16 GB)', 'XL (16+ GB)']);
    expect(await page.locator('.tier .pick').allTextContents()).toEqual(['llama3.2:1b', 'qwen3:4b', 'llama3.1:8b', 'gpt-oss:20b', 'qwen3-coder:30b']);
    expect(await page.locator('.taken').textContent()).toMatch(/^Measured just now · 2 servers · 8 models$/);
    await page.screenshot({ path: join(DOCS, 'popover-results.png') });
  });

  it('copies the recommended model through the bridge and confirms it', async () => {
    const { page } = popover;
    await page.getByRole('button', { name: 'Copy qwen3:4b' }).click();
    await page.getByText('Copied “qwen3:4b”').waitFor();
    expect((await calls()).at(-1)).toEqual(['copy', { host: laptop?.url, model: 'qwen3:4b', form: 'name' }]);
    await page.getByRole('button', { name: 'Copy ollama run qwen3:4b' }).click();
    await page.getByText('Copied “ollama run qwen3:4b”').waitFor();
    expect((await calls()).at(-1)).toEqual(['copy', { host: laptop?.url, model: 'qwen3:4b', form: 'run' }]);
  });

  it('is usable from the keyboard: Tab reaches Copy, Enter presses it, Space opens the ranking', async () => {
    const { page } = popover;
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let focused = '';
    for (let presses = 0; presses < 20 && focused !== 'Copy llama3.2:1b'; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    }
    expect(focused).toBe('Copy llama3.2:1b');
    await page.keyboard.press('Enter');
    await page.getByText('Copied “llama3.2:1b”').waitFor();

    const summary = page.locator('.tier').nth(1).getByText('Ranking (2)');
    await summary.focus();
    await page.keyboard.press('Space');
    expect(await page.locator('.tier').nth(1).locator('details').getAttribute('open')).toBe('');
    expect(await page.locator('.tier').nth(1).locator('details li').count()).toBe(2);
  });

  it('followed the system dark theme', async () => {
    const dark = await open('dark');
    try {
      await dark.page.getByRole('button', { name: 'Run benchmark' }).first().click();
      await dark.page.evaluate(() => (window as unknown as { __stub: { playAll(): void } }).__stub.playAll());
      await dark.page.locator('.tier').nth(4).waitFor();
      const background = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(28, 28, 30)');
      await dark.page.screenshot({ path: join(DOCS, 'popover-results-dark.png') });
      expect(dark.errors).toEqual([]);
    } finally {
      await dark.close();
    }
  });

  it('touched nothing but its own three files and raised no error', () => {
    const files = new Set(popover.requests.map((url) => url.replace(served.url, '/')));
    expect([...files].sort()).toEqual(['/', '/main.js', '/style.css']);
    expect(popover.errors).toEqual([]);
  });
});
