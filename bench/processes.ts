// Child processes the benches measure or measure against: the simulated Ollama server in a process
// of its own (so its CPU and memory never count as the client's), and the peak memory of a process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerFault, SimulatedModel } from '../main/simulator/simulated-model.js';

export const root = new URL('../', import.meta.url).pathname;

export interface SimulatorProcess {
  url: string;
  child: ChildProcess;
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `dist/simulator.cjs` on a free loopback port; resolves once it prints its URL. */
export async function startSimulatorProcess(models: SimulatedModel[], faults: ServerFault[] = []): Promise<SimulatorProcess> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'speedrun-bench-'));
  const file = path.join(directory, 'models.json');
  await writeFile(file, JSON.stringify(models));
  const child = spawn(
    process.execPath,
    [`${root}dist/simulator.cjs`, '--host', '127.0.0.1', '--port', '0', '--models-json', file, ...faults.flatMap((fault) => ['--fault', fault])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for await (const line of createInterface({ input: child.stdout! })) return { url: (JSON.parse(line) as { url: string }).url, child };
  throw new Error('the simulated server did not start');
}

export async function stopSimulatorProcess(server: SimulatorProcess): Promise<void> {
  const exit = exited(server.child);
  server.child.kill('SIGTERM');
  await exit;
}

/** The highest resident memory (VmHWM) `child` reached, in bytes, sampled every `intervalMs` until it exits. */
export async function peakRssBytes(child: ChildProcess, intervalMs: number): Promise<number> {
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process exited between two polls.
    }
  }, intervalMs);
  await exited(child);
  clearInterval(poll);
  return peakKb * 1024;
}
