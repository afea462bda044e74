// A small, boring Ollama client: one method per endpoint, typed values out, one error type in.
// Everything above it sees validated data, never raw JSON.
import type { z } from 'zod';
import { HttpError, request, streamLines, type HttpResponse } from './http.js';
import {
  MAX_CHUNK_TEXT,
  describeSchemaError,
  errorSchema,
  generateChunkSchema,
  psEnvelopeSchema,
  runningModelSchema,
  showSchema,
  tagModelSchema,
  tagsEnvelopeSchema,
  versionSchema,
  type GenerateChunk,
  type RunningModel,
  type ShowResponse,
  type TagModel,
} from './schemas.js';

export class OllamaError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the server answered with one. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'OllamaError';
  }
}

export interface ClientLimits {
  /** Deadline for a plain API call (tags, ps, show, version). */
  callTimeoutMs: number;
  maxListBodyBytes: number;
  maxShowBodyBytes: number;
  /** Longest a single streamed line may be; the final chunk carries a token `context` array. */
  maxLineBytes: number;
  /** How long a started stream may go without a byte. */
  streamIdleTimeoutMs: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  callTimeoutMs: 10_000,
  maxListBodyBytes: 8 * 1024 * 1024,
  maxShowBodyBytes: 8 * 1024 * 1024,
  maxLineBytes: 4 * 1024 * 1024,
  streamIdleTimeoutMs: 60_000,
};

export interface GenerateRequest {
  model: string;
  prompt: string;
  keepAlive?: number | string;
  options?: Record<string, number>;
}

export interface RejectedEntry {
  /** The entry's name when it had a readable one, so the model can be reported by name. */
  name: string | null;
  reason: string;
}

export interface ListResult<T> {
  models: T[];
  /** Entries that did not match the schema, each with its reason; the rest are still usable. */
  rejected: RejectedEntry[];
}

function parseEntries<T extends z.ZodType>(schema: T, entries: unknown[], path: string): ListResult<z.infer<T>> {
  const models: z.infer<T>[] = [];
  const rejected: RejectedEntry[] = [];
  entries.forEach((entry, index) => {
    const parsed = schema.safeParse(entry);
    if (parsed.success) {
      models.push(parsed.data);
      return;
    }
    const name = typeof entry === 'object' && entry !== null && 'name' in entry && typeof entry.name === 'string' ? entry.name.slice(0, 200) : null;
    rejected.push({ name, reason: `${path} entry ${index}: ${describeSchemaError(parsed.error)}` });
  });
  return { models, rejected };
}

/** The keep_alive value that asks Ollama to unload a model now. */
export const UNLOAD_NOW = 0;

export class OllamaClient {
  constructor(
    readonly baseUrl: string,
    private readonly limits: ClientLimits = DEFAULT_CLIENT_LIMITS,
  ) {}

  async version(signal?: AbortSignal): Promise<string> {
    const body = await this.call('/api/version', { maxBodyBytes: 64 * 1024, signal });
    return this.parse(versionSchema, body, '/api/version').version;
  }

  async tags(signal?: AbortSignal): Promise<ListResult<TagModel>> {
    const body = await this.call('/api/tags', { maxBodyBytes: this.limits.maxListBodyBytes, signal });
    return parseEntries(tagModelSchema, this.parse(tagsEnvelopeSchema, body, '/api/tags').models, '/api/tags');
  }

  /** Loaded models; an entry with impossible figures is left out, as if not loaded. */
  async ps(signal?: AbortSignal): Promise<RunningModel[]> {
    const body = await this.call('/api/ps', { maxBodyBytes: this.limits.maxListBodyBytes, signal });
    return parseEntries(runningModelSchema, this.parse(psEnvelopeSchema, body, '/api/ps').models, '/api/ps').models;
  }

  async show(model: string, signal?: AbortSignal): Promise<ShowResponse> {
    const body = await this.call('/api/show', {
      method: 'POST',
      json: { model },
      maxBodyBytes: this.limits.maxShowBodyBytes,
      signal,
    });
    return this.parse(showSchema, body, '/api/show');
  }

  /**
   * Loads (or, with keep_alive 0, unloads) a model: an empty prompt makes Ollama answer one plain
   * object once the model is in memory.
   */
  async loadOrUnload(model: string, keepAlive: number | string, timeoutMs: number, signal?: AbortSignal): Promise<GenerateChunk> {
    const body = await this.call('/api/generate', {
      method: 'POST',
      json: { model, prompt: '', stream: false, keep_alive: keepAlive },
      maxBodyBytes: this.limits.maxLineBytes,
      timeoutMs,
      signal,
    });
    const answer = this.parse(generateChunkSchema, body, '/api/generate');
    if (answer.error !== undefined) throw new OllamaError(`/api/generate: ${answer.error}`);
    return answer;
  }

  /**
   * Streams a generation, yielding the chunks that arrived together as one batch. Ends with the
   * batch holding the `done: true` chunk; any other ending throws an OllamaError.
   * `firstByteTimeoutMs` bounds the silent wait for the first chunk (Ollama sends no headers
   * while a request is queued or its model loads).
   */
  async *generate(
    req: GenerateRequest,
    firstByteTimeoutMs: number,
    signal?: AbortSignal,
    onSent?: () => void,
  ): AsyncGenerator<GenerateChunk[], void, undefined> {
    const url = `${this.baseUrl}/api/generate`;
    const stream = await this.guard(
      streamLines(url, {
        json: { model: req.model, prompt: req.prompt, stream: true, keep_alive: req.keepAlive, options: req.options },
        headerTimeoutMs: firstByteTimeoutMs,
        idleTimeoutMs: this.limits.streamIdleTimeoutMs,
        maxLineBytes: this.limits.maxLineBytes,
        maxErrorBodyBytes: 64 * 1024,
        signal,
        onSent,
      }),
    );
    if (stream.errorBody) {
      throw this.statusError(stream.status, stream.errorBody, stream.contentType, '/api/generate');
    }
    try {
      for await (const lines of stream.lineBatches) {
        const chunks: GenerateChunk[] = [];
        for (const line of lines) {
          const chunk = this.parseChunk(line);
          if (chunk.error !== undefined) throw new OllamaError(`server error mid-stream: ${chunk.error}`, 200);
          chunks.push(chunk);
          // Whatever a server sends after its final chunk is not part of the answer.
          if (chunk.done) {
            yield chunks;
            return;
          }
        }
        yield chunks;
      }
    } catch (error) {
      throw this.translate(error);
    }
    throw new OllamaError('the stream ended without a final (done) chunk');
  }

  private parseChunk(line: string): GenerateChunk {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new OllamaError(`malformed JSON from /api/generate: ${JSON.stringify(line.slice(0, 60))}`);
    }
    // Nearly every line is one token; checking those by hand keeps the client's CPU per token
    // close to a bare JSON.parse, so the tool does not steal the CPU it is measuring.
    const token = plainTokenChunk(value);
    if (token) return token;
    const parsed = generateChunkSchema.safeParse(value);
    if (!parsed.success) {
      throw new OllamaError(`unexpected /api/generate chunk (${describeSchemaError(parsed.error)})`);
    }
    return parsed.data;
  }

  private async call(
    path: string,
    options: { method?: 'GET' | 'POST'; json?: unknown; maxBodyBytes: number; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<unknown> {
    const response = await this.guard(
      request(`${this.baseUrl}${path}`, {
        method: options.method ?? 'GET',
        json: options.json,
        timeoutMs: options.timeoutMs ?? this.limits.callTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        signal: options.signal,
      }),
    );
    if (response.status !== 200) throw this.statusError(response.status, response.body, response.contentType, path);
    return this.json(response, path);
  }

  private json(response: HttpResponse, path: string): unknown {
    try {
      return JSON.parse(response.body.toString('utf8'));
    } catch {
      const kind = response.contentType.split(';')[0] || 'no content type';
      throw new OllamaError(`${path} did not answer JSON (${kind})`, response.status);
    }
  }

  private parse<T extends z.ZodType>(schema: T, value: unknown, path: string): z.infer<T> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new OllamaError(`${path} answered an unexpected shape (${describeSchemaError(parsed.error)})`);
    return parsed.data;
  }

  private statusError(status: number, body: Buffer, contentType: string, path: string): OllamaError {
    const message = refusalMessage(body, contentType);
    return new OllamaError(message ? `${path}: HTTP ${status}: ${message}` : `${path}: HTTP ${status}`, status);
  }

  private async guard<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof HttpError) return new OllamaError(error.message);
    return error;
  }
}

const EMPTY_FINAL_FIELDS = {
  done_reason: '',
  total_duration: 0,
  load_duration: 0,
  prompt_eval_count: 0,
  prompt_eval_duration: 0,
  eval_count: 0,
  eval_duration: 0,
} as const;

/** A streamed token chunk (`done: false`, text, nothing else that matters), or null for anything else. */
function plainTokenChunk(value: unknown): GenerateChunk | null {
  if (typeof value !== 'object' || value === null) return null;
  const chunk = value as Record<string, unknown>;
  if (chunk.done !== false || 'error' in chunk) return null;
  const { response, thinking = '' } = chunk;
  if (typeof response !== 'string' || typeof thinking !== 'string') return null;
  if (response.length > MAX_CHUNK_TEXT || thinking.length > MAX_CHUNK_TEXT) return null;
  return { response, thinking, done: false, ...EMPTY_FINAL_FIELDS };
}

/** Longest part of a plain-text refusal kept in a reason. */
const MAX_REFUSAL_TEXT = 200;

/**
 * What a refusal says: Ollama's `{"error":...}`, or the first line of a plain-text body (a proxy,
 * or a server answering as text), so the reason names the cause and not only the status. Any
 * other body (an HTML error page) is described by its type, never quoted.
 */
function refusalMessage(body: Buffer, contentType: string): string {
  const text = body.toString('utf8');
  try {
    const parsed = errorSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // Not JSON: look at what else it is.
  }
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/plain') return (text.trim().split('\n')[0] ?? '').slice(0, MAX_REFUSAL_TEXT).trim();
  return type && text.trim() ? `answered with a ${type} page` : '';
}

/** True when an error came from the caller's cancellation rather than from the server. */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}
