import { mkdtemp, readFile, readdir, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultKnownServersFile,
  loadKnownServers,
  rememberServers,
  saveKnownServers,
  type KnownServersFiles,
} from '../main/core/discovery/known-servers.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const files: KnownServersFiles = {
  readFile: (file) => readFile(file, 'utf8'),
  writeFile: (file, data) => writeFile(file, data),
  rename: (from, to) => rename(from, to),
  mkdir: async (directory) => {
    await mkdir(directory, { recursive: true });
  },
};

let directory = '';
let file = '';
beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'speedrun-known-'));
  file = path.join(directory, 'config', 'known-servers.json');
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the known servers file', () => {
  it('is an empty list when it does not exist yet', async () => {
    expect(await loadKnownServers(file, files, NOW)).toEqual({ servers: [], notes: [] });
  });

  it('round-trips through a save, creating the folder', async () => {
    const servers = rememberServers([], [{ url: 'http://192.168.1.40:11434', version: '0.30.1', source: 'sweep' }], NOW);
    await saveKnownServers(file, servers, files);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      schemaVersion: 1,
      servers: [{ url: 'http://192.168.1.40:11434', version: '0.30.1', lastSeen: '2026-03-01T12:00:00.000Z' }],
    });
    expect(await loadKnownServers(file, files, NOW)).toEqual({ servers, notes: [] });
  });

  it('is written through a temporary file that is renamed over it, leaving no temporary behind', async () => {
    const calls: string[] = [];
    const watched: KnownServersFiles = {
      ...files,
      writeFile: async (target, data) => {
        calls.push(`write ${path.basename(target)}`);
        await files.writeFile(target, data);
      },
      rename: async (from, to) => {
        calls.push(`rename ${path.basename(from)} -> ${path.basename(to)}`);
        await files.rename(from, to);
      },
    };
    await saveKnownServers(file, [], watched);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^write known-servers\.json\..+\.tmp$/);
    expect(calls[1]).toMatch(/^rename known-servers\.json\..+\.tmp -> known-servers\.json$/);
    expect(await readdir(path.dirname(file))).toEqual(['known-servers.json']);
  });

  it.each([
    ['not JSON', '{"schemaVersion":1,"servers":[{"url":'],
    ['the wrong shape', '{"schemaVersion":1,"servers":[{"url":42}]}'],
    ['an unknown schema version', '{"schemaVersion":7,"servers":[]}'],
  ])('moves a file with %s aside with a message, and goes on with none', async (_what, content) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    const loaded = await loadKnownServers(file, files, NOW);
    expect(loaded.servers).toEqual([]);
    const aside = `${file}.corrupt-2026-03-01T12-00-00-000Z`;
    expect(loaded.notes).toHaveLength(1);
    expect(loaded.notes[0]).toContain(`moved it to ${aside}`);
    expect(await readFile(aside, 'utf8')).toBe(content);
    expect(await readdir(path.dirname(file))).toEqual(['known-servers.json.corrupt-2026-03-01T12-00-00-000Z']);
  });

  it('goes on without the list when the file cannot be read, leaving it where it is', async () => {
    const unreadable: KnownServersFiles = {
      ...files,
      readFile: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    };
    const loaded = await loadKnownServers(file, unreadable, NOW);
    expect(loaded.servers).toEqual([]);
    expect(loaded.notes[0]).toMatch(/could not read the known servers.*EACCES/);
  });

  it('keeps the newest servers first and at most 64', () => {
    const known = Array.from({ length: 70 }, (_, index) => ({
      url: `http://10.0.0.${index + 1}:11434`,
      version: '0.29.0',
      lastSeen: '2026-01-01T00:00:00.000Z',
    }));
    const next = rememberServers(known, [{ url: 'http://10.0.0.5:11434', version: '0.30.1', source: 'cache' }], NOW);
    expect(next).toHaveLength(64);
    expect(next[0]).toEqual({ url: 'http://10.0.0.5:11434', version: '0.30.1', lastSeen: '2026-03-01T12:00:00.000Z' });
    expect(next.filter((server) => server.url === 'http://10.0.0.5:11434')).toHaveLength(1);
  });
});

describe('where the known servers live', () => {
  it("is the Electron app's user data folder on every platform", () => {
    expect(defaultKnownServersFile({ platform: 'darwin', env: {}, homeDir: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/Ollama Speedrun/known-servers.json',
    );
    expect(defaultKnownServersFile({ platform: 'linux', env: {}, homeDir: '/home/ada' })).toBe(
      '/home/ada/.config/Ollama Speedrun/known-servers.json',
    );
    expect(defaultKnownServersFile({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, homeDir: '/home/ada' })).toBe(
      '/xdg/Ollama Speedrun/known-servers.json',
    );
    expect(defaultKnownServersFile({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, homeDir: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Ollama Speedrun\\known-servers.json',
    );
  });
});
