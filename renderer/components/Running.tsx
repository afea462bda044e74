// A run in progress: the four phases, what discovery is doing, and per server the model being
// measured with its live tokens/sec, all read straight from the runner's events.
import type { Phase } from '../../main/core/events.js';
import { formatRate, shortHost } from '../format.js';
import type { HostActivity, RunView } from '../model.js';

const PHASES: { phase: Phase; label: string }[] = [
  { phase: 'discover', label: 'Find servers' },
  { phase: 'enumerate', label: 'List models' },
  { phase: 'benchmark', label: 'Measure' },
  { phase: 'assess', label: 'Score' },
];

function stageText(activity: HostActivity): string {
  switch (activity.stage) {
    case 'queued':
      return 'starting';
    case 'load':
      return 'loading into memory';
    case 'generate':
      return activity.tokens === 1 ? '1 token' : `${activity.tokens} tokens`;
  }
}

function Activity({ activity }: { activity: HostActivity }) {
  return (
    <li class="card activity">
      <div class="row spread">
        <span class="model">{activity.model}</span>
        <span class="muted nowrap">
          {activity.index + 1} of {activity.total} models
        </span>
      </div>
      <div class="muted">{shortHost(activity.host)}</div>
      <div class="row spread baseline">
        <span class="rate">
          <strong>{activity.tokensPerSec === null ? '–' : formatRate(activity.tokensPerSec)}</strong> tok/s
        </span>
        <span class="muted">{stageText(activity)}</span>
      </div>
      <progress value={activity.index} max={activity.total} aria-label={`${activity.index} of ${activity.total} models done`} />
    </li>
  );
}

export function RunningView({ run, stopping }: { run: RunView; stopping: boolean }) {
  const current = PHASES.findIndex((entry) => entry.phase === run.phase);
  const latestNote = run.notes[run.notes.length - 1];
  const recent = run.finished.slice(-4).reverse();
  return (
    <section class="running" aria-label="Benchmark in progress">
      <ol class="phases">
        {PHASES.map((entry, index) => (
          <li key={entry.phase} class={index < current ? 'past' : index === current ? 'current' : ''} aria-current={index === current ? 'step' : undefined}>
            {entry.label}
          </li>
        ))}
      </ol>
      <p class="status-line" role="status">
        {stopping
          ? 'Stopping: putting the servers back as they were…'
          : `${run.hosts.length} ${run.hosts.length === 1 ? 'server' : 'servers'} found · ${run.finished.length} ${run.finished.length === 1 ? 'model' : 'models'} done`}
      </p>
      {run.phase === 'discover' && (
        <div class="discovery">
          {latestNote && <p class="muted">{latestNote}</p>}
          {run.scan && (
            <label class="scan">
              Searching {run.scan.network}: {run.scan.probed} of {run.scan.total}
              <progress value={run.scan.probed} max={run.scan.total} />
            </label>
          )}
        </div>
      )}
      {run.phase === 'enumerate' && <p class="muted">Listing models: {run.listed} so far</p>}
      {run.activity.length > 0 && (
        <ul class="list">
          {run.activity.map((activity) => (
            <Activity key={activity.host} activity={activity} />
          ))}
        </ul>
      )}
      {run.hosts.length > 0 && run.phase === 'discover' && (
        <ul class="hosts">
          {run.hosts.map((host) => (
            <li key={host.url}>
              {shortHost(host.url)} <span class="muted">Ollama {host.version}</span>
            </li>
          ))}
        </ul>
      )}
      {recent.length > 0 && (
        <section>
          <h2 class="section-title">Just measured</h2>
          <ul class="recent">
            {recent.map((result) => (
              <li key={`${result.host} ${result.model}`} class="row spread">
                <span class="model">{result.model}</span>
                <span class={result.status === 'ok' ? 'muted nowrap' : `badge ${result.status}`}>
                  {result.status === 'ok' ? `${formatRate(result.tokensPerSec)} tok/s` : result.status}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
