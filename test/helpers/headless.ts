// Runs the real headless command, bundled as `npm run headless` bundles it (by test/global-setup.ts).
import { spawn, type ChildProcess } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;
export const HEADLESS_BUNDLE = `${root}dist/headless.cjs`;

export interface HeadlessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment with no OLLAMA_HOST, so only what a test names is tried. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.OLLAMA_HOST;
  return env;
}

export function startHeadless(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): { child: ChildProcess; done: Promise<HeadlessRun> } {
  const child = spawn(process.execPath, [HEADLESS_BUNDLE, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<HeadlessRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Ctrl-C to a started command: what it printed, and how long it took to exit after the signal. */
export async function interrupt(started: ReturnType<typeof startHeadless>): Promise<{ run: HeadlessRun; exitMs: number }> {
  const interruptedAt = performance.now();
  started.child.kill('SIGINT');
  const run = await started.done;
  return { run, exitMs: performance.now() - interruptedAt };
}

export function runHeadless(args: string[], env?: NodeJS.ProcessEnv): Promise<HeadlessRun> {
  return startHeadless(args, env).done;
}
