// What simulated models say. The sound answer is a self-assessment that touches every area a
// quality check looks for (tasks, reasoning, code, creative writing, knowledge, languages,
// limitations) under markdown headings, and is short enough to finish well inside 512 tokens.
import type { SimulatedModel } from './simulated-model.js';
import { splitIntoTokens } from './tokens.js';

/** Tokens by index; `count` is Infinity for a model that never stops by itself. */
export interface TokenSource {
  readonly count: number;
  at(index: number): string;
}

export const SOUND_ANSWER = `# What I can do

I am a general-purpose language model. Here is an honest summary.

## Tasks
I answer questions, summarise documents, draft emails and explain ideas step by step, adapting my tone to the reader.

## Reasoning
I work through problems one step at a time: a train that leaves at 14:05 and arrives at 17:50 travels for 3 hours and 45 minutes.

## Code
I write and review code in many languages, for example in Python:

\`\`\`python
def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
\`\`\`

## Creative writing
I can write stories, poems and dialogue:
*Quiet servers hum / tokens fall like autumn leaves / the answer arrives*

## Knowledge
I know science, history and geography up to my training cut-off: water boils at 100 °C at sea level, and the Nile flows north.

## Languages
I understand and write English, Spanish, French and German: "Hola", "Bonjour", "Guten Tag".

## Limitations
I can be wrong, I cannot browse the internet, I struggle with long exact arithmetic, and I know nothing after my training data.
`;

const REPETITION_INTRO = 'Sure! Here is what I can do:\n\n';
const REPETITION_LOOP = 'I can help you with that. ';

const THINKING =
  'Okay, the user wants to know what I can do. I should cover tasks, reasoning, code, creative ' +
  'writing, knowledge, languages and my limitations, with headings and a short code example. ';

function fromText(text: string): TokenSource {
  const pieces = splitIntoTokens(text);
  return { count: pieces.length, at: (index) => pieces[index] ?? '' };
}

/** A preamble, then one phrase forever: what a model stuck in a loop streams. */
function looping(intro: string, loop: string): TokenSource {
  const head = splitIntoTokens(intro);
  const cycle = splitIntoTokens(loop);
  return {
    count: Infinity,
    at: (index) => (index < head.length ? head[index] : cycle[(index - head.length) % cycle.length]) ?? '',
  };
}

export function answerTokens(answer: SimulatedModel['answer']): TokenSource {
  switch (answer) {
    case undefined:
    case 'sound':
      return fromText(SOUND_ANSWER);
    case 'repetition':
      return looping(REPETITION_INTRO, REPETITION_LOOP);
    case 'empty':
      return fromText('');
    default:
      return fromText(answer);
  }
}

/** The answer repeated without end, for a model that must never finish. */
export function endlessTokens(answer: SimulatedModel['answer']): TokenSource {
  const source = answerTokens(answer);
  if (source.count === Infinity) return source;
  if (source.count === 0) return looping('', REPETITION_LOOP);
  return { count: Infinity, at: (index) => source.at(index % source.count) };
}

export function thinkingTokens(count: number): TokenSource {
  const cycle = splitIntoTokens(THINKING);
  return { count, at: (index) => cycle[index % cycle.length] ?? '' };
}
