// A deterministic proxy for how good an answer to the capability prompt is, 0-1. It cannot judge
// truth; it catches what makes a fast model useless: nothing said, a repetition loop, an answer cut
// off, an answer that ignores most of what was asked. Every part is kept so a score can be explained.
import { CAPABILITY_AREAS, type CapabilityArea } from '../benchmark/prompt.js';
import type { QualityBreakdown } from '../report.js';

export interface QualityAssessment {
  quality: number;
  parts: QualityBreakdown;
}

const AREA_PATTERNS: Record<CapabilityArea, RegExp> = {
  tasks: /\btasks?\b/i,
  reasoning: /\breason(ing|ed)?\b|\bstep[- ]by[- ]step\b/i,
  code: /```|\bcode\b|\bdef\s+\w+\(|\bfunction\b/i,
  'creative writing': /\bcreativ(e|ity)\b|\bpoem\b|\bpoetry\b|\bstor(y|ies)\b/i,
  knowledge: /\bknowledge\b|\bfacts?\b/i,
  languages: /\blanguages?\b|\bmultilingual\b/i,
  limitations: /\blimitations?\b|\bcannot\b|\bcan't\b|\bstruggle\b/i,
};

const TARGET_WORDS = 300;
/** Below this many words an answer is short whatever it says. */
const ADEQUATE_WORDS = 150;
const TRUNCATION_FACTOR = 0.6;

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_']+/gu) ?? [];
}

function repeatedNgramShare(tokens: string[], n: number): number {
  if (tokens.length < n + 1) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  let total = 0;
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    total++;
    if (seen.has(gram)) repeats++;
    else seen.add(gram);
  }
  return repeats / total;
}

function degenerationFactor(repeatShare: number, typeTokenRatio: number, wordCount: number): number {
  // Natural prose repeats few 4-grams; from 15% on the answer is going in circles, and from
  // 50% it is a loop. A tiny vocabulary over a long answer is the same failure in another form.
  const fromRepeats = repeatShare <= 0.15 ? 1 : repeatShare >= 0.5 ? 0.1 : 1 - ((repeatShare - 0.15) / 0.35) * 0.9;
  const fromVocabulary = wordCount >= 80 && typeTokenRatio < 0.2 ? 0.1 : 1;
  return Math.min(fromRepeats, fromVocabulary);
}

/** `doneReason` is the final chunk's `done_reason`; `length` means the token budget cut it off. */
export function assessQuality(answer: string, doneReason: string): QualityAssessment {
  const tokens = words(answer);
  const truncated = doneReason === 'length';
  const coverage = CAPABILITY_AREAS.filter((area) => AREA_PATTERNS[area].test(answer)).length / CAPABILITY_AREAS.length;
  const codeBlock = /```[^\n]*\n\s*\S[\s\S]*?```/.test(answer) ? 1 : 0;
  const structuralLines = answer.split('\n').filter((line) => /^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\*\*[^*]+\*\*)/.test(line)).length;
  const structure = Math.min(1, structuralLines / CAPABILITY_AREAS.length);
  const length = Math.min(1, tokens.length / ADEQUATE_WORDS) * (tokens.length > TARGET_WORDS * 4 ? 0.8 : 1);
  const repeatShare = repeatedNgramShare(tokens, 4);
  const typeTokenRatio = tokens.length === 0 ? 0 : new Set(tokens).size / tokens.length;
  const degeneration = degenerationFactor(repeatShare, typeTokenRatio, tokens.length);
  const truncationFactor = truncated ? TRUNCATION_FACTOR : 1;

  const parts: QualityBreakdown = {
    coverage,
    codeBlock,
    structure,
    length,
    repeatedNgramShare: repeatShare,
    typeTokenRatio,
    degenerationFactor: degeneration,
    truncationFactor,
    words: tokens.length,
    truncated,
  };
  if (tokens.length === 0) return { quality: 0, parts };
  const content = 0.4 * coverage + 0.2 * codeBlock + 0.2 * structure + 0.2 * length;
  return { quality: content * degeneration * truncationFactor, parts };
}
