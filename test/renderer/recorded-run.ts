// The recorded event stream (test/fixtures/recorded-run.json) and its shape.
import { readFileSync } from 'node:fs';
import type { SpeedrunEvent } from '../../main/core/events.js';

export interface RecordedRun {
  description: string;
  servers: { label: string; url: string }[];
  events: { atMs: number; event: SpeedrunEvent }[];
}

export function loadRecordedRun(): RecordedRun {
  return JSON.parse(readFileSync(new URL('../fixtures/recorded-run.json', import.meta.url), 'utf8')) as RecordedRun;
}
