// The results: when they were taken, one card per tier, then what failed or was skipped and why.
import type { LastRun, SpeedrunBridge } from '../../main/contract.js';
import { age, shortHost } from '../format.js';
import { NoServer } from './NoServer.js';
import { TierCard } from './TierCard.js';

export interface ResultsProps {
  last: LastRun;
  bridge: SpeedrunBridge;
  nowMs: number;
  onOpenSettings: () => void;
}

export function ResultsView({ last, bridge, nowMs, onOpenSettings }: ResultsProps) {
  const { report } = last;
  if (report.hosts.length === 0) return <NoServer advice={last.advice} onOpenSettings={onOpenSettings} />;
  const measured = report.results.filter((result) => result.status === 'ok').length;
  const unmeasured = report.results.filter((result) => result.status !== 'ok');
  const problems = [...last.failedHosts.map((host) => `${shortHost(host.url)}: ${host.reason}`), ...last.warnings];
  const servers = report.hosts.length;
  return (
    <section class="results" aria-label="Results">
      <p class="taken">
        Measured{' '}
        <time dateTime={report.finishedAt} title={new Date(report.finishedAt).toLocaleString()}>
          {age(report.finishedAt, nowMs)}
        </time>{' '}
        · {servers} {servers === 1 ? 'server' : 'servers'} · {measured} {measured === 1 ? 'model' : 'models'}
      </p>
      {last.end === 'stopped' && <p class="banner">Stopped before the end: these are the models measured until then.</p>}
      {last.end === 'interrupted' && (
        <p class="banner">Interrupted before the end: these are the models finished until then. Run again to measure the rest.</p>
      )}
      {measured === 0 && <p class="banner">No model could be measured; the reasons are below.</p>}
      <ul class="list tiers">
        {report.tiers.map((tier) => (
          <TierCard key={tier.tier} tier={tier} results={report.results} bridge={bridge} />
        ))}
      </ul>
      {unmeasured.length > 0 && (
        <details class="card problems" open={measured === 0}>
          <summary>Failed and skipped ({unmeasured.length})</summary>
          <ul>
            {unmeasured.map((result) => (
              <li key={`${result.host} ${result.model}`}>
                <div class="row spread">
                  <span class="model">{result.model}</span>
                  <span class={`badge ${result.status}`}>{result.status}</span>
                </div>
                <div class="muted">{shortHost(result.host)}</div>
                <p class="reason">{result.reason}</p>
              </li>
            ))}
          </ul>
        </details>
      )}
      {problems.length > 0 && (
        <details class="card problems">
          <summary>Warnings ({problems.length})</summary>
          <ul>
            {problems.map((problem, index) => (
              <li key={index} class="reason">
                {problem}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
