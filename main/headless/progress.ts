// Live progress on stderr: a spinner per phase, live tokens/sec while a model generates, a line
// per finished model. A consumer of the event stream only; every figure comes from an event.
import ora, { type Ora } from 'ora';
import type { SpeedrunEvent } from '../core/events.js';
import type { HostSource } from '../core/report.js';
import { formatMs, formatRate, shortHost } from '../core/format.js';
import { terminalSafe } from './sanitize.js';
import type { Paint } from './table.js';

const SOURCE_TEXT: Record<HostSource, string> = {
  flag: 'named with --host',
  env: 'from OLLAMA_HOST',
  loopback: 'this machine',
  cache: 'found by an earlier run',
  neighbour: 'in the neighbour cache',
  sweep: 'found by the sweep',
  demo: 'demo server',
};

const PHASE_TEXT = {
  discover: 'Looking for Ollama servers',
  enumerate: 'Listing models',
  benchmark: 'Measuring models',
  assess: 'Scoring',
} as const;

export class ProgressView {
  private readonly spinner: Ora;
  /** What each server is doing right now; servers are measured side by side. */
  private readonly activity = new Map<string, string>();
  private modelsListed = 0;
  private hostLabel: (url: string) => string;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly paint: Paint,
    interactive: boolean,
    hostLabels: ReadonlyMap<string, string>,
  ) {
    this.spinner = ora({ stream, isEnabled: interactive, color: 'cyan', discardStdin: false });
    this.hostLabel = (url) => {
      const label = hostLabels.get(url);
      return terminalSafe(label ? `${shortHost(url)} (${label})` : shortHost(url));
    };
  }

  /** Prints a line above the spinner without disturbing it. */
  private line(symbol: 'succeed' | 'fail' | 'warn' | 'info', text: string): void {
    const running = this.spinner.isSpinning;
    const current = this.spinner.text;
    this.spinner.stopAndPersist({ symbol: { succeed: '✔', fail: '✖', warn: '⚠', info: '·' }[symbol], text });
    if (running) this.spinner.start(current);
  }

  private refreshActivity(): void {
    this.spinner.text = [...this.activity.values()].join('\n  ') || PHASE_TEXT.benchmark;
  }

  handle(event: SpeedrunEvent): void {
    switch (event.type) {
      case 'phase':
        if (this.spinner.isSpinning) this.spinner.stop();
        this.spinner.start(PHASE_TEXT[event.phase]);
        break;
      case 'discovery-note':
        this.line('info', terminalSafe(event.message));
        break;
      case 'scan-progress':
        this.spinner.text = `Sweeping ${event.network}: ${event.probed}/${event.total} addresses`;
        break;
      case 'host-found':
        this.line('succeed', `Ollama ${terminalSafe(event.host.version)} at ${this.hostLabel(event.host.url)}: ${SOURCE_TEXT[event.host.source]}`);
        break;
      case 'host-rejected':
        // Discovery's reasons name the server themselves.
        this.line('info', this.paint('dim', terminalSafe(event.reason)));
        break;
      case 'discovery-done':
        for (const advice of event.advice) this.line('warn', terminalSafe(advice));
        break;
      case 'host-failed':
        this.line('fail', `${this.hostLabel(event.url)}: ${terminalSafe(event.reason)}`);
        break;
      case 'model-listed':
        this.modelsListed++;
        this.spinner.text = `${PHASE_TEXT.enumerate}: ${this.modelsListed}`;
        break;
      case 'bench-start':
        this.activity.set(event.host, `${this.hostLabel(event.host)} ${terminalSafe(event.model)} (${event.index + 1}/${event.total})`);
        this.refreshActivity();
        break;
      case 'bench-progress': {
        const what = event.stage === 'load' ? 'loading' : `${formatRate(event.tokensPerSec)} tok/s, ${event.tokens} tokens`;
        this.activity.set(event.host, `${this.hostLabel(event.host)} ${terminalSafe(event.model)}: ${what}`);
        this.refreshActivity();
        break;
      }
      case 'bench-done': {
        const { result } = event;
        this.activity.delete(result.host);
        this.refreshActivity();
        const name = `${terminalSafe(result.model)} on ${this.hostLabel(result.host)}`;
        if (result.status === 'ok') {
          this.line('succeed', `${name}: ${formatRate(result.tokensPerSec)} tok/s, TTFT ${formatMs(result.ttftMs)}`);
        } else if (result.status === 'failed') {
          this.line('fail', `${name}: ${this.paint('red', 'failed')}: ${terminalSafe(result.reason ?? '')}`);
        } else {
          this.line('info', this.paint('dim', `${name}: skipped: ${terminalSafe(result.reason ?? '')}`));
        }
        break;
      }
      case 'warning':
        this.line('warn', terminalSafe(event.message));
        break;
      case 'assessment':
      case 'done':
        this.activity.clear();
        this.spinner.stop();
        break;
    }
  }

  stop(): void {
    this.spinner.stop();
  }
}
