// What an Ollama server may send, as schemas. Everything from the network passes through these
// before use. They follow the real server's leniency rules: unknown fields are ignored, a missing
// number is 0, a missing array (or `families: null`) is empty. Values no real server can send
// (negative sizes, sizes beyond a petabyte) are refused, so they never reach a table as nonsense.
import { z } from 'zod';

/** A petabyte: no model file or resident size comes near it. */
const MAX_PLAUSIBLE_BYTES = 1e15;

const byteCount = z.number().int().nonnegative().max(MAX_PLAUSIBLE_BYTES);
const count = z.number().int().nonnegative().max(1e12);
const metricCount = z.number().finite();
/** Durations are checked for plausibility where they are used (run.ts), so one absurd figure costs that figure only. */
const nanoseconds = z.number().finite();
const text = z.string().max(10_000);
const textOrEmpty = z.string().max(10_000).nullish().transform((value) => value ?? '');
const stringList = z
  .array(z.string().max(200))
  .max(1_000)
  .nullish()
  .transform((value) => value ?? []);

export const modelDetailsSchema = z
  .object({
    format: textOrEmpty,
    family: textOrEmpty,
    families: stringList,
    parameter_size: textOrEmpty,
    quantization_level: textOrEmpty,
  })
  .nullish()
  .transform((value) => value ?? { format: '', family: '', families: [], parameter_size: '', quantization_level: '' });
export type ModelDetails = z.infer<typeof modelDetailsSchema>;

export const tagModelSchema = z.object({
  name: text.min(1),
  model: textOrEmpty,
  size: byteCount.default(0),
  digest: textOrEmpty,
  details: modelDetailsSchema,
  capabilities: stringList,
  remote_model: textOrEmpty,
  remote_host: textOrEmpty,
});
export type TagModel = z.infer<typeof tagModelSchema>;

/** `/api/tags` is parsed entry by entry, so one bad entry costs that entry only. */
export const tagsEnvelopeSchema = z.object({
  models: z.array(z.unknown()).max(10_000).nullish().transform((value) => value ?? []),
});

export const runningModelSchema = z.object({
  name: text.min(1),
  model: textOrEmpty,
  size: byteCount.default(0),
  digest: textOrEmpty,
  size_vram: byteCount.default(0),
  context_length: count.default(0),
  expires_at: textOrEmpty,
});
export type RunningModel = z.infer<typeof runningModelSchema>;

/** Like `/api/tags`, `/api/ps` is parsed entry by entry. */
export const psEnvelopeSchema = z.object({
  models: z.array(z.unknown()).max(1_000).nullish().transform((value) => value ?? []),
});

export const showSchema = z.object({
  details: modelDetailsSchema,
  model_info: z.record(z.string(), z.unknown()).nullish().transform((value) => value ?? {}),
  capabilities: stringList,
  remote_model: textOrEmpty,
  remote_host: textOrEmpty,
});
export type ShowResponse = z.infer<typeof showSchema>;

export const versionSchema = z.object({ version: text });

export const errorSchema = z.object({ error: z.string().max(10_000) });

/** Longest text one stream chunk may carry. */
export const MAX_CHUNK_TEXT = 1_000_000;

/** One line of a `/api/generate` stream, or its final object. */
export const generateChunkSchema = z.object({
  response: z.string().max(MAX_CHUNK_TEXT).default(''),
  thinking: z.string().max(MAX_CHUNK_TEXT).default(''),
  done: z.boolean().default(false),
  done_reason: textOrEmpty,
  total_duration: nanoseconds.default(0),
  load_duration: nanoseconds.default(0),
  prompt_eval_count: metricCount.default(0),
  prompt_eval_duration: nanoseconds.default(0),
  eval_count: metricCount.default(0),
  eval_duration: nanoseconds.default(0),
  error: z.string().max(10_000).optional(),
});
export type GenerateChunk = z.infer<typeof generateChunkSchema>;

/** A short, human explanation of why a value did not match its schema. */
export function describeSchemaError(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'unexpected shape';
  const where = first.path.length > 0 ? first.path.join('.') : 'body';
  return `${where}: ${first.message}`;
}
