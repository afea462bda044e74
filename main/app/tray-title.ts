// The tray title during a run: the live decode rate of each server being measured (`42 t/s`, or
// `42 · 17 t/s` when two servers run side by side), `…` while nothing is generating yet.
import type { SpeedrunEvent } from '../core/events.js';

const WAITING = '…';

export class TrayTitle {
  /** Live rate per server; null while its model loads or before the first two tokens. */
  private readonly rates = new Map<string, number | null>();
  private running = false;

  /** Folds one event in; returns the title to show now. */
  update(event: SpeedrunEvent): string {
    switch (event.type) {
      case 'phase':
        this.running = true;
        break;
      case 'bench-start':
        this.rates.set(event.host, null);
        break;
      case 'bench-progress':
        this.rates.set(event.host, event.tokensPerSec);
        break;
      case 'done':
        this.reset();
        break;
      default:
        break;
    }
    return this.title;
  }

  reset(): void {
    this.rates.clear();
    this.running = false;
  }

  get title(): string {
    if (!this.running) return '';
    const rates = [...this.rates.values()];
    if (rates.length === 0 || rates.every((rate) => rate === null)) return WAITING;
    return `${rates.map((rate) => (rate === null ? WAITING : String(Math.round(rate)))).join(' · ')} t/s`;
  }
}
