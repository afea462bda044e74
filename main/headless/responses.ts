// `--save-responses DIR`: every answer a model gave in its timed runs, one JSON file per model,
// so the quality proxy can be re-run on them later. File names come from untrusted model and host
// names, so they are reduced to a safe alphabet and can never leave DIR.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SavedResponses } from '../core/benchmark/protocol.js';
import { inertJson } from '../core/inert-json.js';

export function responseFileName(host: string, model: string): string {
  const safe = (text: string) => text.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return `${safe(host)}__${safe(model)}.json`;
}

export function responseSaver(directory: string): (responses: SavedResponses) => Promise<void> {
  return async (responses) => {
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, responseFileName(responses.host, responses.model)), inertJson(responses));
  };
}
