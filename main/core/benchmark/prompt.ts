// The one capability prompt every model answers. It asks for the seven areas the quality proxy
// looks for, in a length that fits the default token budget, so a sound model can finish.

/** The seven areas, in the order the prompt names them; the quality proxy checks each. */
export const CAPABILITY_AREAS = [
  'tasks',
  'reasoning',
  'code',
  'creative writing',
  'knowledge',
  'languages',
  'limitations',
] as const;
export type CapabilityArea = (typeof CAPABILITY_AREAS)[number];

export const BENCHMARK_SEED = 42;

/**
 * The nonce goes first: Ollama reuses a cached prompt prefix, and a unique first token makes
 * every run process the whole prompt, so prefill is measured and not skipped.
 */
export function capabilityPrompt(nonce: string): string {
  return [
    `Run ${nonce}.`,
    'Present a comprehensive self-assessment of your capabilities, in Markdown with one heading per section, about 300 words in all:',
    '1. Tasks: the kinds of tasks you handle well.',
    '2. Reasoning: solve this and show your steps: a train leaves at 14:05 and arrives at 17:50; how long is the journey?',
    '3. Code: write a short Python function that checks whether a string is a palindrome, in a fenced code block.',
    '4. Creative writing: a four-line poem about a fast machine.',
    '5. Knowledge: three areas you know well, with one fact from each.',
    '6. Languages: the human languages you can write, with one sentence in two of them.',
    '7. Limitations: what you cannot do or often get wrong.',
  ].join('\n');
}

/** A nonce unique to one run, built from the clock and a counter so it needs no randomness. */
export function makeNonce(nowMs: number, sequence: number): string {
  return `${Math.floor(nowMs).toString(36)}-${sequence.toString(36)}`;
}
