// Servers found by earlier runs, kept in a small JSON file in the user's config folder so the next run
// (terminal or app) tries them first. A damaged file is moved aside, never a reason to stop.
import path from 'node:path';
import { z } from 'zod';
import type { HostInfo } from '../report.js';
import { asidePath } from '../aside.js';

export const KNOWN_SERVERS_FILE_NAME = 'known-servers.json';
const MAX_KNOWN_SERVERS = 64;

export interface ConfigLocation {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homeDir: string;
}

/**
 * The file in the folder Electron uses as `app.getPath('userData')` for an app of this name, so the
 * terminal tool and the app share one list: `~/Library/Application Support/<name>` on macOS,
 * `%APPDATA%\<name>` on Windows, `$XDG_CONFIG_HOME/<name>` (or `~/.config/<name>`) elsewhere.
 */
export function defaultKnownServersFile(location: ConfigLocation, appName = 'Ollama Speedrun'): string {
  const { platform, env, homeDir } = location;
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  let base: string;
  if (platform === 'darwin') base = join(homeDir, 'Library', 'Application Support');
  else if (platform === 'win32') base = env.APPDATA || join(homeDir, 'AppData', 'Roaming');
  else base = env.XDG_CONFIG_HOME || join(homeDir, '.config');
  return join(base, appName, KNOWN_SERVERS_FILE_NAME);
}

const knownServerSchema = z.object({
  url: z.string(),
  version: z.string(),
  /** ISO 8601 UTC. */
  lastSeen: z.string(),
});

const knownServersSchema = z.object({
  schemaVersion: z.literal(1),
  servers: z.array(knownServerSchema),
});

export type KnownServer = z.infer<typeof knownServerSchema>;
export type KnownServersDocument = z.infer<typeof knownServersSchema>;

export interface KnownServersFiles {
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
}

export interface LoadedKnownServers {
  servers: KnownServer[];
  /** Plain-language sentences about a missing or damaged file, for 'discovery-note' events. */
  notes: string[];
}

function describe(error: unknown): string {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return issue ? `${issue.path.join('.') || 'the file'}: ${issue.message}` : 'unexpected content';
  }
  return error instanceof Error ? error.message : String(error);
}

/** Reads the list; a missing file is an empty list, a damaged one is renamed `<file>.corrupt-<time>`. */
export async function loadKnownServers(file: string, files: KnownServersFiles, nowMs: number): Promise<LoadedKnownServers> {
  let text: string;
  try {
    text = await files.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: [], notes: [] };
    return { servers: [], notes: [`could not read the known servers in ${file} (${describe(error)}); going on without them`] };
  }
  try {
    return { servers: knownServersSchema.parse(JSON.parse(text)).servers, notes: [] };
  } catch (error) {
    const aside = asidePath(file, nowMs);
    try {
      await files.rename(file, aside);
      return {
        servers: [],
        notes: [`the known servers file ${file} was unreadable (${describe(error)}); moved it to ${aside} and starting a new one`],
      };
    } catch (renameError) {
      return {
        servers: [],
        notes: [
          `the known servers file ${file} was unreadable (${describe(error)}) and could not be moved aside ` +
            `(${describe(renameError)}); going on without it`,
        ],
      };
    }
  }
}

/** The list after a run: servers found now first, then earlier ones, at most 64. */
export function rememberServers(known: KnownServer[], found: HostInfo[], nowMs: number): KnownServer[] {
  const seen = new Date(nowMs).toISOString();
  const fresh = found.map((host) => ({ url: host.url, version: host.version, lastSeen: seen }));
  const urls = new Set(fresh.map((server) => server.url));
  const older = known.filter((server) => !urls.has(server.url));
  return [...fresh, ...older].slice(0, MAX_KNOWN_SERVERS);
}

/** Writes a temporary file beside the real one, then renames it over: a crash never leaves half a file. */
export async function saveKnownServers(file: string, servers: KnownServer[], files: KnownServersFiles): Promise<void> {
  const document: KnownServersDocument = { schemaVersion: 1, servers };
  await files.mkdir(path.dirname(file));
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  await files.writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
  await files.rename(temporary, file);
}
