// What the app keeps between launches: the settings and the last run. One schema, one version
// number, one migration path (Caprine's way); electron-store is only the file underneath, so the
// backend is injected and this module runs (and is tested) without Electron.
import { z } from 'zod';
import { parseHostValue } from '../core/discovery/ollama-host.js';
import { parseCidr } from '../core/discovery/subnet.js';
import type { Report } from '../core/report.js';
import type { LastRun, Settings, SettingsErrors, SettingsResult } from '../contract.js';

export const STORE_VERSION = 3;

/** The terminal command's defaults, so both shells measure the same way unless told otherwise. */
export const DEFAULT_SETTINGS: Settings = { extraHosts: [], scan: true, subnet: null, maxTokens: 512, runs: 3 };

const MAX_EXTRA_HOSTS = 32;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const hostSchema = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, context) => {
    try {
      parseHostValue(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: describe(error) });
    }
  });

const subnetSchema = z
  .string()
  .trim()
  .superRefine((value, context) => {
    try {
      parseCidr(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: describe(error) });
    }
  });

const settingsShape = {
  extraHosts: z.array(hostSchema).max(MAX_EXTRA_HOSTS, `at most ${MAX_EXTRA_HOSTS} extra servers`),
  scan: z.boolean(),
  subnet: subnetSchema.nullable(),
  maxTokens: z.number().int('max tokens must be a whole number').min(1, 'max tokens must be at least 1').max(131_072, 'max tokens must be at most 131072'),
  runs: z.number().int('runs must be a whole number').min(1, 'runs must be at least 1').max(100, 'runs must be at most 100'),
} satisfies Record<keyof Settings, z.ZodType>;

export const settingsSchema = z.object(settingsShape);

/** Reports come from our own runner; the check only keeps a damaged file from reaching the popover. */
const reportSchema = z.custom<Report>((value) => {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Partial<Record<keyof Report, unknown>>;
  return (
    report.schemaVersion === 1 &&
    typeof report.finishedAt === 'string' &&
    Array.isArray(report.hosts) &&
    Array.isArray(report.results) &&
    Array.isArray(report.tiers)
  );
}, 'not a report');

const lastRunSchema = z.object({
  report: reportSchema,
  end: z.enum(['finished', 'stopped', 'interrupted']),
  advice: z.array(z.string()),
  failedHosts: z.array(z.object({ url: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
});

export const storedSchema = z.object({
  version: z.literal(STORE_VERSION),
  settings: settingsSchema,
  lastRun: lastRunSchema.nullable(),
});

export type Stored = z.infer<typeof storedSchema>;

export function freshStore(): Stored {
  return { version: STORE_VERSION, settings: { ...DEFAULT_SETTINGS }, lastRun: null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Version 1 kept everything at the top level: the extra servers as one comma-separated string,
 * an empty string for "no subnet", and the bare report of the last run.
 */
function fromVersion1(old: Record<string, unknown>): Record<string, unknown> {
  const hosts = typeof old.hosts === 'string' ? old.hosts.split(',').map((host) => host.trim()).filter(Boolean) : [];
  return {
    version: 2,
    settings: {
      extraHosts: hosts,
      scan: old.scan,
      subnet: old.subnet === '' ? null : old.subnet,
      maxTokens: old.maxTokens,
      runs: old.runs,
    },
    lastRun: old.lastReport ? { report: old.lastReport, cancelled: false, advice: [], failedHosts: [], warnings: [] } : null,
  };
}

/**
 * Version 2 said how a run ended with `cancelled`; version 3 also knows a run the app never saw
 * end (saved in progress, model by model).
 */
function fromVersion2(old: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(old.lastRun)) return { ...old, version: 3 };
  const { cancelled, ...lastRun } = old.lastRun;
  return { ...old, version: 3, lastRun: { ...lastRun, end: cancelled === true ? 'stopped' : 'finished' } };
}

const STEPS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = { 1: fromVersion1, 2: fromVersion2 };

/** Keeps each setting that is still valid; the default replaces one that is not. */
function salvageSettings(value: unknown): Settings {
  const old = isRecord(value) ? value : {};
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(settingsShape) as (keyof Settings)[]) {
    const parsed = settingsShape[key].safeParse(old[key]);
    settings[key] = parsed.success ? parsed.data : DEFAULT_SETTINGS[key];
  }
  return settings as unknown as Settings;
}

export interface Migration {
  data: Stored;
  /** False when the file must be left alone (a newer version of the app wrote it). */
  persist: boolean;
}

/**
 * Brings whatever is on disk to the current version, one step per version, then keeps what still
 * validates. An empty or unversioned file is a fresh store.
 */
export function migrate(raw: unknown): Migration {
  if (!isRecord(raw) || typeof raw.version !== 'number') return { data: freshStore(), persist: true };
  if (raw.version > STORE_VERSION) return { data: freshStore(), persist: false };
  let current = raw;
  for (let version = raw.version; version < STORE_VERSION; version++) {
    const step = STEPS[version];
    if (!step) return { data: freshStore(), persist: true };
    current = step(current);
  }
  const lastRun = lastRunSchema.nullable().safeParse(current.lastRun ?? null);
  return {
    data: { version: STORE_VERSION, settings: salvageSettings(current.settings), lastRun: lastRun.success ? lastRun.data : null },
    persist: true,
  };
}

/** Checks settings sent by the popover; each error names the field and says what is wrong. */
export function validateSettings(input: unknown): SettingsResult {
  const parsed = settingsSchema.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const errors: SettingsErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    const key = typeof field === 'string' && field in settingsShape ? (field as keyof Settings) : 'form';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The file underneath: electron-store's whole-object `store` property in the app. */
export interface StoreBackend {
  read(): unknown;
  write(data: Stored): void;
}

/**
 * The settings and the last run, kept in memory and written through to the file on every change.
 * Reading the file may throw (store-file.ts deals with that); writing never does: a write that
 * fails leaves the data in memory and a notice for the popover, since a full disk must not take
 * the app, or the run that is saving its results, down with it.
 */
export class AppStore {
  private data: Stored;
  private readonly persist: boolean;
  private writeFailing = false;
  /** What the popover should say once about the file (AppState.notice). */
  notice: string | null;

  constructor(
    private readonly backend: StoreBackend,
    notice: string | null = null,
  ) {
    const migration = migrate(backend.read());
    this.data = migration.data;
    this.persist = migration.persist;
    this.notice = notice;
    if (this.persist) this.write(this.data);
  }

  get settings(): Settings {
    return this.data.settings;
  }

  get lastRun(): LastRun | null {
    return this.data.lastRun;
  }

  setSettings(input: unknown): SettingsResult {
    const result = validateSettings(input);
    if (result.ok) this.save({ ...this.data, settings: result.settings });
    return result;
  }

  setLastRun(lastRun: LastRun): void {
    this.save({ ...this.data, lastRun });
  }

  /** The popover has shown the notice. */
  dismissNotice(): void {
    this.notice = null;
  }

  private save(data: Stored): void {
    this.data = data;
    if (this.persist) this.write(data);
  }

  private write(data: Stored): void {
    try {
      this.backend.write(data);
      this.writeFailing = false;
    } catch (error) {
      // Said once when writes start failing, not again for every model that finishes.
      if (!this.writeFailing) {
        this.notice = `Could not save the settings and results (${describe(error)}). They are kept until the app quits; check that the disk has free space.`;
      }
      this.writeFailing = true;
    }
  }
}
