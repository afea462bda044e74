import { renameSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppStore, DEFAULT_SETTINGS, STORE_VERSION, migrate, validateSettings, type StoreBackend, type Stored } from '../../main/app/store.js';
import { STORE_NAME, openStore } from '../../main/app/store-file.js';
import { asidePath } from '../../main/core/aside.js';
import type { LastRun } from '../../main/contract.js';
import { loadRecordedRun } from '../renderer/recorded-run.js';

const report = (() => {
  const done = loadRecordedRun().events.find((entry) => entry.event.type === 'done')?.event;
  if (done?.type !== 'done') throw new Error('the recording has no done event');
  return done.report;
})();

const VERSION_1 = {
  version: 1,
  hosts: '192.168.1.20, studio.local:11434',
  scan: false,
  subnet: '',
  maxTokens: 256,
  runs: 5,
  lastReport: report,
};

function memoryBackend(initial: unknown) {
  const backend = { data: initial, writes: 0, read: () => backend.data, write: (data: Stored) => ((backend.data = data), backend.writes++) };
  return backend;
}

describe('migrate', () => {
  it('brings the flat version-1 shape to the current one', () => {
    const { data, persist } = migrate(VERSION_1);
    expect(persist).toBe(true);
    expect(data).toEqual({
      version: STORE_VERSION,
      settings: { extraHosts: ['192.168.1.20', 'studio.local:11434'], scan: false, subnet: null, maxTokens: 256, runs: 5 },
      lastRun: { report, end: 'finished', advice: [], failedHosts: [], warnings: [] },
    });
  });

  it('says how a version-2 run ended with `end` instead of `cancelled`', () => {
    const settings = { ...DEFAULT_SETTINGS, runs: 2 };
    const stopped = migrate({ version: 2, settings, lastRun: { report, cancelled: true, advice: ['a'], failedHosts: [], warnings: [] } });
    expect(stopped.data).toEqual({ version: STORE_VERSION, settings, lastRun: { report, end: 'stopped', advice: ['a'], failedHosts: [], warnings: [] } });
    expect(migrate({ version: 2, settings, lastRun: { report, cancelled: false, advice: [], failedHosts: [], warnings: [] } }).data.lastRun?.end).toBe('finished');
    expect(migrate({ version: 2, settings, lastRun: null }).data.lastRun).toBeNull();
  });

  it('starts fresh from an empty or unversioned file', () => {
    expect(migrate({}).data).toEqual({ version: STORE_VERSION, settings: DEFAULT_SETTINGS, lastRun: null });
    expect(migrate(undefined).data.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the valid settings and replaces only the broken ones with defaults', () => {
    const { data } = migrate({ version: STORE_VERSION, settings: { extraHosts: ['studio.local'], scan: 'yes', subnet: '10.0.0.0/99', maxTokens: 64, runs: 0 }, lastRun: null });
    expect(data.settings).toEqual({ extraHosts: ['studio.local'], scan: true, subnet: null, maxTokens: 64, runs: 3 });
  });

  it('drops a last run that is not a report rather than show it', () => {
    expect(migrate({ version: STORE_VERSION, settings: DEFAULT_SETTINGS, lastRun: { report: { nonsense: true } } }).data.lastRun).toBeNull();
  });

  it('leaves a file written by a newer version of the app untouched', () => {
    const backend = memoryBackend({ version: STORE_VERSION + 1, settings: { brandNew: true } });
    const store = new AppStore(backend);
    expect(store.settings).toEqual(DEFAULT_SETTINGS);
    store.setSettings({ ...DEFAULT_SETTINGS, runs: 7 });
    expect(backend.writes).toBe(0);
  });
});

describe('validateSettings', () => {
  it('accepts what the terminal accepts', () => {
    const settings = { extraHosts: ['192.168.1.20', 'http://studio.local:11434', '[::1]:11434'], scan: true, subnet: '192.168.1.0/24', maxTokens: 1024, runs: 1 };
    expect(validateSettings(settings)).toEqual({ ok: true, settings });
  });

  it('says what is wrong with each field', () => {
    const result = validateSettings({ extraHosts: ['ftp://files'], scan: true, subnet: '192.168.1.0', maxTokens: 0, runs: 1.5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.extraHosts).toMatch(/unsupported scheme "ftp"/);
    expect(result.errors.subnet).toMatch(/address\/prefix, e\.g\. 192\.168\.1\.0\/24/);
    expect(result.errors.maxTokens).toBe('max tokens must be at least 1');
    expect(result.errors.runs).toBe('runs must be a whole number');
  });

  it('refuses something that is not settings at all', () => {
    expect(validateSettings('scan everything')).toMatchObject({ ok: false, errors: { form: expect.any(String) } });
  });
});

// electron-store is conf with the folder set to Electron's userData; conf is the file underneath.
// (electron-store itself imports electron, which vi.mock cannot reach from node_modules.)
describe('AppStore on the electron-store file', () => {
  let folder: string;
  /** As main.ts opens it: conf with clearInvalidConfig off, a file that is not JSON moved aside. */
  const open = (nowMs = Date.now()) =>
    openStore({
      path: join(folder, `${STORE_NAME}.json`),
      open: () => {
        const file = new Conf<Record<string, unknown>>({ cwd: folder, configName: STORE_NAME, clearInvalidConfig: false });
        return { read: () => file.store, write: (data) => (file.store = data) };
      },
      rename: renameSync,
      nowMs,
    });
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'speedrun-store-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('migrates an old file on disk and writes the new shape back', async () => {
    const file = join(folder, 'speedrun.json');
    await writeFile(file, JSON.stringify(VERSION_1));
    const store = open();

    expect(store.settings.extraHosts).toEqual(['192.168.1.20', 'studio.local:11434']);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Stored;
    expect(onDisk.version).toBe(STORE_VERSION);
    expect(onDisk.settings.scan).toBe(false);
    expect(onDisk.lastRun?.report.finishedAt).toBe(report.finishedAt);
  });

  it('keeps the settings and the last run across launches', async () => {
    const first = open();
    first.setSettings({ ...DEFAULT_SETTINGS, extraHosts: ['studio.local'], runs: 2 });
    const lastRun: LastRun = { report, end: 'interrupted', advice: [], failedHosts: [], warnings: ['a warning'] };
    first.setLastRun(lastRun);

    const second = open();
    expect(second.settings).toEqual({ ...DEFAULT_SETTINGS, extraHosts: ['studio.local'], runs: 2 });
    expect(second.lastRun).toEqual(lastRun);
    expect(second.notice).toBeNull();
    expect(await readdir(folder)).toEqual(['speedrun.json']);
  });

  it('moves a file that is not JSON aside, starts afresh and says where the old one went, once', async () => {
    const file = join(folder, 'speedrun.json');
    await writeFile(file, '{ "version": 3, "settings": { half a file');
    const at = Date.parse('2025-01-31T09:15:00.000Z');
    const store = open(at);

    const aside = join(folder, 'speedrun.json.corrupt-2025-01-31T09-15-00-000Z');
    expect(asidePath(file, at)).toBe(aside);
    expect(await readFile(aside, 'utf8')).toBe('{ "version": 3, "settings": { half a file');
    expect(store.settings).toEqual(DEFAULT_SETTINGS);
    expect(store.lastRun).toBeNull();
    expect(store.notice).toBe(
      `The saved settings and results could not be read (it is not valid JSON). The file was moved to ${aside} and the app started afresh with the default settings.`,
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: STORE_VERSION, settings: DEFAULT_SETTINGS, lastRun: null });

    store.setSettings({ ...DEFAULT_SETTINGS, runs: 5 });
    const nextLaunch = open();
    expect(nextLaunch.notice).toBeNull();
    expect(nextLaunch.settings.runs).toBe(5);
  });

  it('runs on memory, and says nothing will be kept, when the file can be neither read nor moved', async () => {
    await writeFile(join(folder, 'speedrun.json'), 'not json');
    const store = openStore({
      path: join(folder, 'speedrun.json'),
      open: () => {
        const file = new Conf<Record<string, unknown>>({ cwd: folder, configName: STORE_NAME, clearInvalidConfig: false });
        return { read: () => file.store, write: (data) => (file.store = data) };
      },
      rename: () => {
        throw new Error('EPERM: operation not permitted, rename');
      },
      nowMs: 0,
    });
    expect(store.notice).toMatch(/could not be read \(it is not valid JSON\) nor moved aside \(EPERM: operation not permitted, rename\)/);
    expect(store.notice).toMatch(/nothing will be kept after it quits/);
    store.setSettings({ ...DEFAULT_SETTINGS, runs: 9 });
    expect(store.settings.runs).toBe(9);
    expect(await readFile(join(folder, 'speedrun.json'), 'utf8')).toBe('not json');
  });
});

describe('a store file that cannot be written', () => {
  const failing = (state: { full: boolean; data?: unknown }): StoreBackend => ({
    read: () => state.data,
    write: (data) => {
      if (state.full) throw new Error('ENOSPC: no space left on device, write');
      state.data = data;
    },
  });

  it('keeps the data in memory and leaves one notice, never an exception', () => {
    const disk = { full: true };
    const store = new AppStore(failing(disk));
    expect(store.notice).toMatch(/^Could not save the settings and results \(ENOSPC: no space left on device, write\)\. They are kept until the app quits/);
    store.dismissNotice();
    store.setLastRun({ report, end: 'interrupted', advice: [], failedHosts: [], warnings: [] });
    expect(store.lastRun?.report).toEqual(report);
    expect(store.notice).toBeNull();
  });

  it('says so again if writes fail again after they had recovered', () => {
    const disk = { full: false };
    const store = new AppStore(failing(disk));
    disk.full = true;
    store.setSettings({ ...DEFAULT_SETTINGS, runs: 4 });
    store.dismissNotice();
    disk.full = false;
    store.setSettings({ ...DEFAULT_SETTINGS, runs: 5 });
    expect(store.notice).toBeNull();
    disk.full = true;
    store.setSettings({ ...DEFAULT_SETTINGS, runs: 6 });
    expect(store.notice).toMatch(/^Could not save/);
  });
});
