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
        <h2 id={headingId}>{tier.label}</h2>
        <p class="muted">No model measured in this tier.</p>
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
      <p class="pick">{pick.model}</p>
      <dl class="stats">
        <div>
          <dt>tok/s</dt>
          <dd>{formatRate(result?.tokensPerSec ?? null)}</dd>
        </div>
        <div>
          <dt>TTFT</dt>
          <dd>{formatMs(result?.ttftMs ?? null)}</dd>
        </div>
        <div>
          <dt>Score</dt>
          <dd>{formatScore(result?.score ?? null)}</dd>
        </div>
      </dl>
      <CopyButtons host={pick.host} model={pick.model} bridge={bridge} />
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
