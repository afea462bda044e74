// Reading simulated models from JSON (serve.ts --models-json): either an array of models or
// `{ "models": [...], "loaded": ["name", ...] }`, checked field by field so a typo fails loudly.
import { STREAM_FAULTS, type ModelFault, type SimulatedModel } from './simulated-model.js';

export interface ModelsFile {
  models: SimulatedModel[];
  loaded: string[];
}

const REQUIRED_STRINGS = ['name', 'family', 'parameterSize', 'quantization'] as const;
const REQUIRED_NUMBERS = ['parameterCount', 'sizeBytes', 'memoryBytes', 'contextLength', 'tokensPerSec', 'ttftMs', 'loadMs'] as const;
const FAULT_STATUSES = [400, 403, 404, 405, 500, 503];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFault(value: unknown, where: string): ModelFault | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (STREAM_FAULTS as readonly string[]).includes(value)) return value as ModelFault;
  if (isRecord(value) && typeof value.status === 'number' && FAULT_STATUSES.includes(value.status)) {
    if (value.json !== undefined && typeof value.json !== 'boolean') throw new Error(`${where}: fault.json must be true or false`);
    return { status: value.status as 400 | 403 | 404 | 405 | 500 | 503, ...(value.json === undefined ? {} : { json: value.json }) };
  }
  throw new Error(`${where}: unknown fault ${JSON.stringify(value)} (one of ${STREAM_FAULTS.join(', ')}, or { "status": 400|403|404|405|500|503 })`);
}

function parseModel(value: unknown, index: number): SimulatedModel {
  const where = `model #${index + 1}`;
  if (!isRecord(value)) throw new Error(`${where} is not an object`);
  for (const key of REQUIRED_STRINGS) if (typeof value[key] !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  for (const key of REQUIRED_NUMBERS) if (typeof value[key] !== 'number') throw new Error(`${where}: "${key}" must be a number`);
  const { capabilities } = value;
  if (!Array.isArray(capabilities) || !capabilities.every((item) => typeof item === 'string')) {
    throw new Error(`${where}: "capabilities" must be an array of strings`);
  }
  for (const key of ['vramBytes', 'thinkingTokens'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'number') throw new Error(`${where}: "${key}" must be a number`);
  }
  if (value.cloud !== undefined && typeof value.cloud !== 'boolean') throw new Error(`${where}: "cloud" must be true or false`);
  if (value.answer !== undefined && typeof value.answer !== 'string') throw new Error(`${where}: "answer" must be a string`);
  const fault = parseFault(value.fault, where);
  return { ...(value as unknown as SimulatedModel), ...(fault === undefined ? {} : { fault }) };
}

export function parseModelsFile(text: string): ModelsFile {
  const parsed: unknown = JSON.parse(text);
  const models = Array.isArray(parsed) ? parsed : isRecord(parsed) ? parsed.models : undefined;
  if (!Array.isArray(models)) throw new Error('expected an array of models, or an object with a "models" array');
  const loaded = isRecord(parsed) && Array.isArray(parsed.loaded) ? parsed.loaded : [];
  if (!loaded.every((name): name is string => typeof name === 'string')) throw new Error('"loaded" must be an array of names');
  return { models: models.map(parseModel), loaded };
}
