// Stage 2: what each server has. `/api/tags` lists the models, `/api/show` adds what only it
// knows (capabilities on older list replies, the exact parameter count, the context length).
import type { Emit } from './events.js';
import { OllamaClient, OllamaError } from './ollama/client.js';
import type { ShowResponse, TagModel } from './ollama/schemas.js';
import type { RegistryEntry } from './report.js';

export interface ModelProblem {
  model: string;
  digest: string;
  sizeBytes: number;
  reason: string;
}

export interface HostInventory {
  entries: RegistryEntry[];
  /** Models listed but not usable (their details could not be read); they become failed results. */
  problems: ModelProblem[];
}

const PARAMETER_SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** `"8.0B"` -> 8e9, `"137M"` -> 1.37e8; null when the server left it empty or odd. */
export function parseParameterSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*$/i.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const multiplier = PARAMETER_SUFFIX[match[2].toUpperCase()];
  if (multiplier === undefined) return null;
  // A server may send any number of digits: "999...9B" must not become Infinity in a table.
  const count = Math.round(Number(match[1]) * multiplier);
  return Number.isSafeInteger(count) && count > 0 ? count : null;
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** The context length is `<architecture>.context_length` in the GGUF metadata. */
function contextLengthOf(show: ShowResponse): number | null {
  const architecture = show.model_info['general.architecture'];
  if (typeof architecture !== 'string') return null;
  return positiveInteger(show.model_info[`${architecture}.context_length`]);
}

export function toRegistryEntry(host: string, tag: TagModel, show: ShowResponse | null): RegistryEntry {
  const details = show?.details.quantization_level ? show.details : tag.details;
  const capabilities = show && show.capabilities.length > 0 ? show.capabilities : tag.capabilities;
  return {
    host,
    model: tag.name,
    digest: tag.digest,
    sizeBytes: tag.size,
    parameterCount: positiveInteger(show?.model_info['general.parameter_count']) ?? parseParameterSize(details.parameter_size),
    quantization: details.quantization_level || null,
    capabilities,
    cloud: Boolean(tag.remote_host || tag.remote_model || show?.remote_host || show?.remote_model),
    contextLength: show ? contextLengthOf(show) : null,
  };
}

export async function enumerateHost(client: OllamaClient, emit: Emit, signal: AbortSignal): Promise<HostInventory> {
  const host = client.baseUrl;
  const { models, rejected } = await client.tags(signal);
  const entries: RegistryEntry[] = [];
  const problems: ModelProblem[] = [];
  for (const entry of rejected) {
    if (entry.name) problems.push({ model: entry.name, digest: '', sizeBytes: 0, reason: `the server's listing of it is invalid (${entry.reason})` });
    else emit({ type: 'warning', message: `${host}: ignored an unreadable model entry (${entry.reason})` });
  }
  const seen = new Set<string>();
  for (const tag of models) {
    if (signal.aborted) break;
    const known = { model: tag.name, digest: tag.digest, sizeBytes: tag.size };
    if (seen.has(tag.name)) {
      emit({ type: 'warning', message: `${host}: ${tag.name} is listed twice by /api/tags; measuring it once` });
      continue;
    }
    seen.add(tag.name);
    let show: ShowResponse | null = null;
    try {
      show = await client.show(tag.name, signal);
    } catch (error) {
      if (signal.aborted) break;
      const reason = error instanceof OllamaError ? error.message : String(error);
      problems.push({ ...known, reason: `could not read model details: ${reason}` });
      continue;
    }
    const entry = toRegistryEntry(host, tag, show);
    entries.push(entry);
    emit({ type: 'model-listed', entry });
  }
  return { entries, problems };
}
