// The composite score and the ranking. The formula is documented in the README and `--help`:
//
//   score = 100 x quality x (0.4 + 0.6 x speed)
//   speed = tokensPerSec / (fastest tokensPerSec in the same tier), 0-1
//
// Quality multiplies rather than adds, so speed can never buy back a broken answer: a repetition
// loop (quality <= 0.1 x content) or an empty answer (0) loses to a sound answer at half the speed,
// whose speed term is still 0.7 of the fastest's.
import type { ModelResult, RankedEntry, ScoreBreakdown, Tier, TierSummary } from '../report.js';
import { TIERS } from '../report.js';
import { TIER_LABELS } from './tiers.js';

export const SPEED_FLOOR = 0.4;
export const SPEED_WEIGHT = 0.6;

export function scoreParts(quality: number, tokensPerSec: number, fastestInTier: number): ScoreBreakdown {
  const speed = fastestInTier > 0 ? Math.min(1, tokensPerSec / fastestInTier) : 0;
  return { quality, speed, speedFactor: SPEED_FLOOR + SPEED_WEIGHT * speed };
}

/** 0-100, one decimal. */
export function compositeScore(parts: ScoreBreakdown): number {
  return Math.round(1000 * parts.quality * parts.speedFactor) / 10;
}

function isMeasured(result: ModelResult): result is ModelResult & { tokensPerSec: number; quality: number } {
  return result.status === 'ok' && result.tokensPerSec !== null && result.quality !== null;
}

/** Fills in each measured result's score, relative to the fastest model in its tier. */
export function scoreResults(results: ModelResult[]): ModelResult[] {
  const fastest = new Map<Tier, number>();
  for (const result of results.filter(isMeasured)) {
    fastest.set(result.tier, Math.max(fastest.get(result.tier) ?? 0, result.tokensPerSec));
  }
  return results.map((result) => {
    if (!isMeasured(result)) return { ...result, score: null };
    const parts = scoreParts(result.quality, result.tokensPerSec, fastest.get(result.tier) ?? 0);
    const measurement = result.measurement && { ...result.measurement, scoreParts: parts };
    return { ...result, score: compositeScore(parts), measurement };
  });
}

/** All five tiers, in order; ties go to the faster model, then to the name, so ranking is stable. */
export function rankTiers(scored: ModelResult[]): TierSummary[] {
  return TIERS.map((tier) => {
    const ranked: RankedEntry[] = scored
      .filter((result) => result.tier === tier && result.score !== null)
      .sort(
        (a, b) =>
          (b.score ?? 0) - (a.score ?? 0) ||
          (b.tokensPerSec ?? 0) - (a.tokensPerSec ?? 0) ||
          a.model.localeCompare(b.model) ||
          a.host.localeCompare(b.host),
      )
      .map((result) => ({ host: result.host, model: result.model, score: result.score ?? 0 }));
    const top = ranked[0];
    return { tier, label: TIER_LABELS[tier], recommended: top ? { host: top.host, model: top.model } : null, ranked };
  });
}
