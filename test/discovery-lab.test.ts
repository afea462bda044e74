// Smoke test of the namespace lab (test/lab/netns.ts). Every command runs inside the lab's own
// namespaces, on its private /26; it is skipped where namespaces cannot be made (not Linux, not root).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseNetwork, parseLinuxRoute, type InterfaceTable } from '../main/core/discovery/interfaces.js';
import { neighboursIn, parseLinuxArp } from '../main/core/discovery/neighbours.js';
import { formatCidr } from '../main/core/discovery/subnet.js';
import { LAB_PREFIX, cleanupStaleLabs, labSupport, withLab, type Lab } from './lab/netns.js';

const support = await labSupport();
const holdLab = new URL('./lab/hold-lab.ts', import.meta.url).pathname;

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** A separate process holding a lab with a `sleep` in it (test/lab/hold-lab.ts). */
async function startLabHolder() {
  const holder = spawn(process.execPath, ['--import', 'tsx', holdLab], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [first] = (await Promise.race([
    once(holder.stdout, 'data'),
    once(holder, 'exit').then(() => {
      throw new Error(`hold-lab.ts exited: ${stderr}`);
    }),
  ])) as [Buffer];
  const { id, pid } = JSON.parse(first.toString()) as { id: string; pid: number };
  return { holder, id, sleeper: pid };
}

async function namespacesOf(lab: Lab): Promise<string[]> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(lab.id));
}

describe.skipIf(!support.ok)('the network namespace lab', () => {
  it('builds a private /26 whose hosts reach each other, and removes it afterwards', async () => {
    await cleanupStaleLabs();
    let seen: Lab | null = null;
    await withLab({ hosts: 2 }, async (lab) => {
      seen = lab;
      const [h1, h2] = lab.hosts as [Lab['hosts'][number], Lab['hosts'][number]];
      expect(lab.id.startsWith(`${LAB_PREFIX}-${process.pid}-`)).toBe(true);
      expect([lab.gateway, h1.address, h2.address]).toEqual(['10.213.7.1', '10.213.7.2', '10.213.7.3']);
      expect(await namespacesOf(lab)).toHaveLength(3);

      // Each host sees only the lab: its own eth0 and a default route to the lab's router.
      const routes = await lab.run(h1, 'ip', ['-4', 'route']);
      expect(routes.stdout.split('\n').map((line) => line.trim()).filter(Boolean).sort()).toEqual([
        '10.213.7.0/26 dev eth0 proto kernel scope link src 10.213.7.2',
        'default via 10.213.7.1 dev eth0',
      ]);

      // A TCP server in h2, a client in h1.
      const server = lab.start(h2, process.execPath, [
        '-e',
        `require('node:net').createServer((s) => s.end('hello from h2\\n')).listen(11434, '${h2.address}', () => console.log('ready'))`,
      ]);
      await once(server.stdout as NodeJS.ReadableStream, 'data');
      const client = await lab.run(h1, process.execPath, [
        '-e',
        `const s = require('node:net').connect(11434, '${h2.address}'); s.on('data', (d) => process.stdout.write(d)); s.on('error', (e) => { console.error(e.code); process.exit(1); });`,
      ]);
      expect(client).toMatchObject({ code: 0, stdout: 'hello from h2\n' });

      // The kernel's own tables inside a host, read by the discovery parsers.
      const route = await lab.run(h1, 'cat', ['/proc/net/route']);
      expect(parseLinuxRoute(route.stdout)).toEqual({ interface: 'eth0', gateway: '10.213.7.1' });
      const arp = await lab.run(h1, 'cat', ['/proc/net/arp']);
      expect(neighboursIn(parseLinuxArp(arp.stdout), { base: 0x0ad50700, prefix: 26 })).toContain('10.213.7.3');
      const interfaces = await lab.run(h1, process.execPath, ['-p', "JSON.stringify(require('node:os').networkInterfaces())"]);
      const choice = chooseNetwork(JSON.parse(interfaces.stdout) as InterfaceTable, parseLinuxRoute(route.stdout));
      expect(choice.chosen?.interface).toBe('eth0');
      expect(formatCidr(choice.chosen?.network ?? { base: 0, prefix: 0 })).toBe('10.213.7.0/26');
    });
    expect(seen).not.toBeNull();
    expect(await namespacesOf(seen as unknown as Lab)).toEqual([]);
  });

  it('tears the lab down when the test body fails', async () => {
    let seen: Lab | null = null;
    await expect(
      withLab({ hosts: 1 }, async (lab) => {
        seen = lab;
        lab.start(lab.hosts[0] as Lab['hosts'][number], 'sleep', ['60']);
        throw new Error('the test failed');
      }),
    ).rejects.toThrow('the test failed');
    expect(await namespacesOf(seen as unknown as Lab)).toEqual([]);
  });

  it('removes the namespaces of a lab whose test process died', async () => {
    const { execFileSync, spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = `${LAB_PREFIX}-${dead}-abc123-h1`;
    execFileSync('ip', ['netns', 'add', stale]);
    expect(await cleanupStaleLabs()).toEqual([stale]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(stale);
  });

  it('stops what a lab started and removes its namespaces when its test process is stopped', async () => {
    const { holder, id, sleeper } = await startLabHolder();
    try {
      const lab = { id } as Lab;
      expect(await namespacesOf(lab)).toHaveLength(2);
      expect(running(sleeper)).toBe(true);
      holder.kill('SIGTERM');
      await once(holder, 'exit');
      // Checked at once: a later cleanupStaleLabs (another test run's) would hide a lab the holder left behind.
      expect(await until(async () => (await namespacesOf(lab)).length === 0 && !running(sleeper), 1000)).toBe(true);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('leaves nothing running when its test process is killed outright, and the next run removes the namespaces', async () => {
    const { holder, id, sleeper } = await startLabHolder();
    const lab = { id } as Lab;
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(await until(() => !running(sleeper), 1000)).toBe(true);
    await cleanupStaleLabs();
    expect(await namespacesOf(lab)).toEqual([]);
  });

  it('places hosts at the numbers asked for, and refuses numbers outside the subnet', async () => {
    await withLab({ hostNumbers: [2, 40, 62] }, async (lab) => {
      expect(lab.hosts.map((host) => host.address)).toEqual(['10.213.7.2', '10.213.7.40', '10.213.7.62']);
    });
    await expect(withLab({ hostNumbers: [2, 63] }, async () => {})).rejects.toThrow(/from 2 to 62/);
    await expect(withLab({ hostNumbers: [1] }, async () => {})).rejects.toThrow(/from 2 to 62/);
    await expect(withLab({ hostNumbers: [5, 5] }, async () => {})).rejects.toThrow(/distinct/);
  });

  it('refuses a subnet that is not a small private range', async () => {
    await expect(withLab({ subnet: '192.0.2.0/24' }, async () => {})).rejects.toThrow(/private \/24 to \/29/);
    await expect(withLab({ subnet: '10.0.0.0/16' }, async () => {})).rejects.toThrow(/private \/24 to \/29/);
  });
});
