// The built popover in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the
// renderer folder served over http on 127.0.0.1 and the preload's bridge replaced by a stub that
// replays a recorded run. Shared by the end-to-end test and bench/renderer.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { POPOVER_SIZE } from '../../main/app/popover.js';
import type { RecordedRun } from './recorded-run.js';

export const ROOT = join(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export interface BuiltApp {
  /** The folder that holds what dist/app would: main.cjs, preload.cjs, renderer/, ... */
  folder: string;
  renderer: string;
  remove(): Promise<void>;
}

/** `npm run build`'s app job, into a folder of its own so that builds running at once never mix. */
export async function buildApp(): Promise<BuiltApp> {
  const folder = await mkdtemp(join(tmpdir(), 'speedrun-app-'));
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', 'app'], { cwd: ROOT, env: { ...process.env, APP_OUT_DIR: folder } });
  return { folder, renderer: join(folder, 'renderer'), remove: () => rm(folder, { recursive: true, force: true }) };
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves a folder's files on 127.0.0.1 (a random port); nothing outside it. */
export async function serveFolder(folder: string): Promise<Served> {
  const server = http.createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(folder, path === '/' ? 'index.html' : path);
    if (!file.startsWith(folder)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Popover {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors and uncaught exceptions, CSP violations included. */
  errors: string[];
  close(): Promise<void>;
}

/** Opens the popover page in a fresh Chromium profile, with the stub bridge in place of the preload. */
export async function openPopover(url: string, recorded: RecordedRun, colorScheme: 'light' | 'dark' = 'light'): Promise<Popover> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); never \`npx playwright install\``);
  const profile = await mkdtemp(join(tmpdir(), 'speedrun-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: POPOVER_SIZE.width, height: POPOVER_SIZE.height },
    deviceScaleFactor: 2,
    colorScheme,
    serviceWorkers: 'block',
  });
  const stub = await readFile(join(import.meta.dirname, 'stub-bridge.js'), 'utf8');
  await context.addInitScript({ content: `window.__RECORDED_RUN__ = ${JSON.stringify(recorded)};\n${stub}` });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return {
    context,
    page,
    requests,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
