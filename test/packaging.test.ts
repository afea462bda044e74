// What users install. The Linux executables are built here for real and run: x64 natively, arm64
// under qemu-aarch64-static; every run is --demo, so nothing but loopback is ever reached. The mac
// app can't be built here (no Electron for darwin, no hdiutil), so its config is held to
// electron-builder's own validation and to the rules the release needs, and the packer is run as
// far as app.asar.
import { execFile, type ExecFileException } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractFile, listPackage } from '@electron/asar';
import picomatch from 'picomatch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Configuration, MacConfiguration, TargetConfiguration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Report } from '../main/core/report.js';
import packageJson from '../package.json' with { type: 'json' };

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const DEMO_ARGS = ['--demo', '--json', '--runs', '1', '--max-tokens', '64'];
const QEMU = 'qemu-aarch64-static';
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const MB = 1_000_000;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and reports how it ended instead of throwing on a non-zero exit. */
async function outcome(file: string, args: string[], options: { cwd?: string; timeoutMs: number }): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: options.cwd ?? root, timeout: options.timeoutMs, maxBuffer: 32 * MB });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as ExecFileException & { stdout: string; stderr: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function parseReport(result: Outcome): Report {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

function expectDemoReport(report: Report) {
  expect(report.tool).toEqual({ name: packageJson.name, version: packageJson.version });
  expect(report.hosts.length).toBeGreaterThan(0);
  for (const host of report.hosts) expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(report.results.length).toBeGreaterThan(0);
  const measured = report.results.filter((result) => result.status === 'ok');
  expect(measured.length).toBeGreaterThan(0);
  for (const result of measured) expect(result.tokensPerSec).toBeGreaterThan(0);
}

/** What a demo run found and decided, without the timings and ports that differ run to run. */
const verdicts = (report: Report) => report.results.map(({ model, status, tier }) => `${model} ${status} ${tier}`).sort();

interface SeaStamp {
  executables: Record<'x64' | 'arm64', { path: string; sizeBytes: number; runtimeSizeBytes: number }>;
}

// The executables wrap dist/headless.cjs, which test/global-setup.ts builds before any test runs.
const bundleBuilt = existsSync(join(root, 'dist/headless.cjs'));
if (!bundleBuilt) {
  console.warn(`\n${'!'.repeat(100)}\nSKIPPING the headless executable tests: there is no dist/headless.cjs to package.\n${'!'.repeat(100)}\n`);
}

describe.skipIf(!bundleBuilt)('the self-contained linux executables', () => {
  let stamp: SeaStamp;
  const executable = (arch: 'x64' | 'arm64') => join(root, stamp.executables[arch].path);
  const arm64 = (args: string[], timeoutMs: number) => {
    if (!existsSync(ARM64_SYSROOT)) {
      throw new Error(`${ARM64_SYSROOT} is missing: apt-get install libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross`);
    }
    return outcome(QEMU, ['-L', ARM64_SYSROOT, executable('arm64'), ...args], { timeoutMs }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new Error(`${QEMU} is missing: apt-get install qemu-user-static`) : error;
    });
  };

  beforeAll(async () => {
    // Incremental: reuses dist/ when it was built from this very bundle, so only a changed bundle
    // pays for the injection (about 10 s, plus a one-off npm pack of both runtimes).
    const build = await outcome(process.execPath, ['scripts/build-headless-sea.mjs'], { timeoutMs: 600_000 });
    expect(build.code, build.stderr).toBe(0);
    stamp = JSON.parse(await readFile(join(root, 'dist/headless-sea.json'), 'utf8')) as SeaStamp;
  }, 660_000);

  it('builds one 64-bit ELF executable per architecture, for that architecture', async () => {
    const machines = { x64: 62, arm64: 183 }; // ELF e_machine: EM_X86_64, EM_AARCH64
    for (const [arch, machine] of Object.entries(machines) as ['x64' | 'arm64', number][]) {
      const file = await open(executable(arch));
      const { buffer } = await file.read(Buffer.alloc(20), 0, 20, 0);
      const { mode } = await file.stat();
      await file.close();
      expect(buffer.subarray(0, 4).toString('latin1'), arch).toBe('\x7fELF');
      expect(buffer[4], `${arch} is 64-bit`).toBe(2);
      expect(buffer.readUInt16LE(18), `${arch} machine`).toBe(machine);
      expect(mode & 0o111, `${arch} is executable`).toBe(0o111);
    }
  });

  it('adds no more than 5 MB to the stripped runtime it carries', () => {
    for (const { path, sizeBytes, runtimeSizeBytes } of Object.values(stamp.executables)) {
      expect(sizeBytes - runtimeSizeBytes, path).toBeLessThanOrEqual(5 * MB);
    }
  });

  it('x64: prints the version from package.json', async () => {
    const result = await outcome(executable('x64'), ['--version'], { timeoutMs: 30_000 });
    expect(result).toEqual({ code: 0, stdout: `${packageJson.name} ${packageJson.version}\n`, stderr: '' });
  });

  it('x64: copied alone into an empty folder, runs the demo and prints a JSON report with results', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ollama-speedrun-alone-'));
    try {
      const alone = join(folder, 'ollama-speedrun');
      await copyFile(executable('x64'), alone);
      await chmod(alone, 0o755);
      expectDemoReport(parseReport(await outcome(alone, DEMO_ARGS, { cwd: folder, timeoutMs: 120_000 })));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 150_000);

  it('x64: answers exactly like `npm run headless` (help, usage errors, demo verdicts)', async () => {
    const plain = (args: string[]) => outcome(process.execPath, ['dist/headless.cjs', ...args], { timeoutMs: 120_000 });
    const packaged = (args: string[]) => outcome(executable('x64'), args, { timeoutMs: 120_000 });

    const help = await packaged(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await plain(['--help'])).stdout);

    const misuse = await packaged(['--runs', 'many']);
    expect(misuse.code).toBe(1);
    expect(misuse).toEqual(await plain(['--runs', 'many']));

    const [packagedDemo, plainDemo] = await Promise.all([packaged(DEMO_ARGS), plain(DEMO_ARGS)]);
    expect(verdicts(parseReport(packagedDemo))).toEqual(verdicts(parseReport(plainDemo)));
  }, 150_000);

  it('arm64 under qemu: prints the version from package.json', async () => {
    const result = await arm64(['--version'], 60_000);
    expect(result).toEqual({ code: 0, stdout: `${packageJson.name} ${packageJson.version}\n`, stderr: '' });
  }, 90_000);

  it('arm64 under qemu: runs the demo and prints a JSON report with results', async () => {
    expectDemoReport(parseReport(await arm64(DEMO_ARGS, 300_000)));
  }, 330_000);
});

describe('electron-builder.yml, the mac app', () => {
  let config: Configuration;
  let mac: MacConfiguration;
  // validateConfiguration writes to this logger only when it is enabled.
  const quietLogger = { isEnabled: false } as unknown as Parameters<typeof validateConfiguration>[1];

  beforeAll(async () => {
    config = await getConfig(root, null, null);
    mac = config.mac ?? {};
  });

  it("passes electron-builder's own validation against its schema", async () => {
    await expect(validateConfiguration(config, quietLogger)).resolves.toBeUndefined();
  });

  it('is checked by a validation that rejects a misspelt key', async () => {
    const misspelt = { ...config, mac: { ...mac, notarise: true } } as Configuration;
    await expect(validateConfiguration(misspelt, quietLogger)).rejects.toThrow(/configuration\.mac/);
  });

  it('names the app as package.json does, under a reverse-DNS bundle id', () => {
    expect(config.productName).toBe(packageJson.productName);
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/i);
  });

  it('builds a dmg and a zip for Apple silicon, and nothing else', () => {
    const targets = (mac.target ?? []) as TargetConfiguration[];
    expect(targets.map((target) => [target.target, target.arch])).toEqual([
      ['dmg', ['arm64']],
      ['zip', ['arm64']],
    ]);
  });

  it('is a menu-bar agent that tells macOS why it reaches the local network', () => {
    const info = mac.extendInfo as Record<string, unknown>;
    expect(info.LSUIElement).toBe(true);
    expect(info.NSLocalNetworkUsageDescription).toMatch(/local network/);
  });

  it("signs with the hardened runtime and entitlements that let V8 compile and the app connect out", async () => {
    expect(mac.hardenedRuntime).toBe(true);
    const parsePlist = createRequire(import.meta.url)('plist').parse as (xml: string) => unknown;
    for (const path of [mac.entitlements, mac.entitlementsInherit]) {
      expect(path).toMatch(/^build\//);
      const entitlements = parsePlist(await readFile(join(root, path as string), 'utf8'));
      expect(entitlements).toMatchObject({
        'com.apple.security.cs.allow-jit': true,
        'com.apple.security.cs.allow-unsigned-executable-memory': true,
        'com.apple.security.network.client': true,
      });
    }
  });

  it('leaves signing and notarisation to the environment (CSC_*, APPLE_*)', () => {
    for (const key of ['identity', 'cscLink', 'cscKeyPassword', 'notarize', 'sign'] as const) expect(mac[key], key).toBeUndefined();
    for (const key of ['cscLink', 'cscKeyPassword'] as const) expect(config[key], key).toBeUndefined();
  });

  it('has a square app icon of at least 512 px', async () => {
    const icon = await readFile(join(root, mac.icon as string));
    expect(icon.subarray(1, 4).toString('latin1')).toBe('PNG');
    const [width, height] = [icon.readUInt32BE(16), icon.readUInt32BE(20)];
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(512);
  });

  it('ships the built app and package.json, not the sources nor the headless executables', () => {
    const patterns = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
    const shipped = picomatch(patterns);
    expect(shipped(packageJson.main)).toBe(true);
    expect(shipped('package.json')).toBe(true);
    for (const path of ['main/app/store.ts', 'dist/headless.cjs', 'dist/ollama-speedrun-linux-x64', 'build/icon.png']) {
      expect(shipped(path), path).toBe(false);
    }
  });

  // Electron's binaries can't be had here (its postinstall download is blocked), so a stand-in
  // Electron folder lets the real packer run as far as the asar, which is the same for every
  // platform: it proves the `files` rules against electron-builder's own file collection.
  it('packs the built app, its package.json and the runtime dependencies into app.asar', async () => {
    expect(existsSync(join(root, 'dist/app/main.cjs'))).toBe(true);
    const work = await mkdtemp(join(tmpdir(), 'ollama-speedrun-asar-'));
    try {
      const standIn = join(work, 'electron');
      await mkdir(standIn);
      await writeFile(join(standIn, 'electron'), '#!/bin/sh\n', { mode: 0o755 });
      const output = join(work, 'out');
      const packed = await outcome(
        join(root, 'node_modules/.bin/electron-builder'),
        ['--linux', 'dir', '--x64', '--publish', 'never', `-c.electronDist=${standIn}`, `-c.directories.output=${output}`],
        { timeoutMs: 240_000 },
      );
      expect(packed.code, packed.stdout + packed.stderr).toBe(0);

      const archive = join(output, 'linux-unpacked/resources/app.asar');
      const files = new Set(listPackage(archive, { isPack: false }).map((path) => path.slice(1)));
      const shippedPackage = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as { main: string };
      expect(files).toContain(shippedPackage.main);
      for (const path of ['dist/app/worker.cjs', 'dist/app/preload.cjs', 'dist/app/renderer/index.html', 'node_modules/ajv/package.json']) {
        expect(files, path).toContain(path);
      }
      const strays = [...files].filter((path) => !/^(dist\/app|node_modules)(\/|$)|^dist$|^package\.json$/.test(path));
      expect(strays).toEqual([]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 300_000);
});
