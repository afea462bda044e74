// Decoding a /api/generate body the way Go's encoding/json decodes api.GenerateRequest, with the
// same error messages (clients surface them to users).
import { parseKeepAlive } from './keep-alive.js';

export interface GenerateRequest {
  /** As sent; replies echo it unchanged. */
  model: string;
  prompt: string;
  system: string;
  raw: boolean;
  stream: boolean;
  /** undefined: the model's default (thinking models think). */
  think: boolean | undefined;
  /** undefined: keep the model's current keep-alive. */
  keepAliveMs: number | undefined;
  options: Record<string, unknown>;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

function fail<T>(status: number, error: string): Decoded<T> {
  return { ok: false, status, error };
}

function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function syntaxError(text: string): string {
  const first = text.trimStart()[0] ?? '';
  return '{["tfn-0123456789'.includes(first) ? 'unexpected EOF' : `invalid character '${first}' looking for beginning of value`;
}

const FIELD_TYPES: Record<string, 'string' | 'bool' | 'map'> = {
  model: 'string',
  prompt: 'string',
  system: 'string',
  suffix: 'string',
  template: 'string',
  raw: 'bool',
  stream: 'bool',
  options: 'map',
};

const GO_TYPES = { string: 'string', bool: 'bool', map: 'map[string]interface {}' } as const;

function fieldTypeError(fields: Record<string, unknown>): string | null {
  for (const [field, type] of Object.entries(FIELD_TYPES)) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    const fits =
      (type === 'string' && typeof value === 'string') ||
      (type === 'bool' && typeof value === 'boolean') ||
      (type === 'map' && goKind(value) === 'object');
    if (!fits) {
      return `json: cannot unmarshal ${goKind(value)} into Go struct field GenerateRequest.${field} of type ${GO_TYPES[type]}`;
    }
  }
  return null;
}

const THINK_LEVELS = ['high', 'medium', 'low', 'max'];

function decodeThink(value: unknown): Decoded<boolean | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'string' && THINK_LEVELS.includes(value)) return { ok: true, value: true };
  if (typeof value === 'string') {
    return fail(400, `invalid think value: "${value}" (must be "high", "medium", "low", "max", true, or false)`);
  }
  return fail(400, 'think must be a boolean or string ("high", "medium", "low", "max", true, or false)');
}

export function decodeGenerateRequest(body: Buffer): Decoded<GenerateRequest> {
  const text = body.toString('utf8');
  if (text.trim() === '') return fail(400, 'missing request body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(400, syntaxError(text));
  }
  if (parsed === null) parsed = {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fail(400, `json: cannot unmarshal ${goKind(parsed)} into Go value of type api.GenerateRequest`);
  }
  const fields = parsed as Record<string, unknown>;
  const typeError = fieldTypeError(fields);
  if (typeError) return fail(400, typeError);
  const think = decodeThink(fields.think);
  if (!think.ok) return think;
  const keepAlive = parseKeepAlive(fields.keep_alive);
  if (!keepAlive.ok) return fail(400, keepAlive.error);
  const stringField = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : '');
  return {
    ok: true,
    value: {
      model: stringField('model'),
      prompt: stringField('prompt'),
      system: stringField('system'),
      raw: fields.raw === true,
      stream: fields.stream !== false,
      think: think.value,
      keepAliveMs: keepAlive.ms,
      options: (fields.options as Record<string, unknown> | undefined) ?? {},
    },
  };
}

/**
 * An integer option (`num_predict`, `num_ctx`); Options.FromMap rejects other types when the
 * runner is scheduled, which the handler turns into a 500.
 */
export function integerOption(options: Record<string, unknown>, key: string): Decoded<number | undefined> {
  const value = options[key];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'number') return fail(500, `option "${key}" must be of type integer`);
  return { ok: true, value: Math.trunc(value) };
}
