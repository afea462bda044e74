// The recorded event stream (test/fixtures/recorded-run.json) and its shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpeedrunEvent } from '../../main/core/events.js';

export const RECORDED_RUN_FILE = join(import.meta.dirname, '../fixtures/recorded-run.json');

export interface RecordedRun {
  description: string;
  servers: { label: string; url: string }[];
  events: { atMs: number; event: SpeedrunEvent }[];
}

export function loadRecordedRun(): RecordedRun {
  return JSON.parse(readFileSync(RECORDED_RUN_FILE, 'utf8')) as RecordedRun;
}
