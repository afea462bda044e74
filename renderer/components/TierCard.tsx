// One memory tier: the recommended model with its host, speed, TTFT and score, Copy, and the
// ranking on expand.
import type { ModelResult, TierSummary } from '../../main/core/report.js';
import type { SpeedrunBridge } from '../../main/contract.js';
import { formatMs, formatRate, formatScore, shortHost } from '../format.js';
import { CopyButtons } from './CopyButtons.js';

export interface TierCardProps {
  tier: TierSummary;
  results: ModelResult[];
  bridge: SpeedrunBridge;
}

export function TierCard({ tier, results, bridge }: TierCardProps) {
  const pick = tier.recommended;
  const headingId = `tier-${tier.tier}`;
  if (!pick) {
    return (
      <li class="card tier none" aria-labelledby={headingId}>
        <div class="row spread baseline">
          <h2 id={headingId}>{tier.label}</h2>
          <span class="muted">no model measured</span>
        </div>
      </li>
    );
  }
  const result = results.find((candidate) => candidate.host === pick.host && candidate.model === pick.model);
  return (
    <li class="card tier" aria-labelledby={headingId}>
      <div class="row spread baseline">
        <h2 id={headingId}>{tier.label}</h2>
        <span class="muted">{shortHost(pick.host)}</span>
      </div>
      <CopyButtons host={pick.host} model={pick.model} bridge={bridge}>
        <p class="pick">{pick.model}</p>
      </CopyButtons>
      <p class="stats">
        <strong>{formatRate(result?.tokensPerSec ?? null)}</strong> tok/s · TTFT <strong>{formatMs(result?.ttftMs ?? null)}</strong> · score{' '}
        <strong>{formatScore(result?.score ?? null)}</strong>
      </p>
      {tier.ranked.length > 1 && (
        <details class="ranking">
          <summary>Ranking ({tier.ranked.length})</summary>
          <ol>
            {tier.ranked.map((entry) => (
              <li key={`${entry.host} ${entry.model}`} class="row spread">
                <span>
                  <span class="model">{entry.model}</span> <span class="muted">{shortHost(entry.host)}</span>
                </span>
                <span class="nowrap">{formatScore(entry.score)}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
