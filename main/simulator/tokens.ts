// A word-ish tokenizer: good enough to make token counts, chunk sizes and `context` arrays look
// like a real model's, and exact in the one way that matters: the pieces concatenate to the text.

// Leading whitespace rides with the next word or symbol; trailing whitespace is its own piece.
const TOKEN_PATTERN = /\s*(?:[\p{L}\p{N}_']+|[^\s\p{L}\p{N}_'])|\s+$/gu;

export function splitIntoTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/**
 * The prompt as the model sees it: wrapped in the chat template's role markers (unless raw), which
 * real prompt_eval_counts include.
 */
export function promptTokens(prompt: string, system: string, raw: boolean): string[] {
  if (raw) return splitIntoTokens(prompt);
  const systemTurn = system === '' ? '' : `<|im_start|>system\n${system}<|im_end|>\n`;
  return splitIntoTokens(`${systemTurn}<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n`);
}

const VOCABULARY_SIZE = 128_256;

/** Deterministic token ids (FNV-1a of the piece) for the `context` array. */
export function tokenId(piece: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < piece.length; index++) {
    hash ^= piece.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % VOCABULARY_SIZE;
}
