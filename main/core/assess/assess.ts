// Stage 4: score every measured model within its tier and pick one per tier.
import type { ModelResult, TierSummary } from '../report.js';
import { rankTiers, scoreResults } from './score.js';

export interface Assessment {
  results: ModelResult[];
  tiers: TierSummary[];
}

export function assess(results: ModelResult[]): Assessment {
  const scored = scoreResults(results);
  return { results: scored, tiers: rankTiers(scored) };
}
