// The notification at the end of a run: the best model per tier in one short body. Since Electron 42
// an unsigned macOS app cannot post one (the `failed` event fires), so the tray title says it instead.
import type { Tier } from '../core/report.js';
import type { LastRun } from '../contract.js';

export interface NotificationText {
  title: string;
  body: string;
}

const TIER_NAMES: Record<Tier, string> = { tiny: 'Tiny', small: 'Small', medium: 'Medium', large: 'Large', xl: 'XL' };

/** `http://studio.local:11434` -> `studio.local`; a port other than Ollama's stays. */
function hostName(url: string): string {
  try {
    return new URL(url).host.replace(/:11434$/, '');
  } catch {
    return url;
  }
}

/** What to say when a run ends; null after a stop the user asked for. */
export function finishedNotification(run: LastRun): NotificationText | null {
  if (run.end !== 'finished') return null;
  const { report } = run;
  if (report.hosts.length === 0) {
    return { title: 'No Ollama server found', body: run.advice[0] ?? 'Open Ollama Speedrun to see what was tried.' };
  }
  const severalHosts = report.hosts.length > 1;
  const picks = report.tiers.flatMap((tier) =>
    tier.recommended
      ? [`${TIER_NAMES[tier.tier]}: ${tier.recommended.model}${severalHosts ? ` on ${hostName(tier.recommended.host)}` : ''}`]
      : [],
  );
  if (picks.length === 0) {
    return { title: 'Benchmark finished', body: 'No model could be measured. Open Ollama Speedrun to see why.' };
  }
  return { title: 'Benchmark finished', body: picks.join(' · ') };
}

/** The title the tray shows when the notification cannot be posted; cleared when the popover opens. */
export const FALLBACK_TRAY_TITLE = '✓ Done';

/** The parts of Electron's `Notification` used here. */
export interface PostedNotification {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  show(): void;
}

export interface NotifierDeps {
  isSupported(): boolean;
  create(text: NotificationText): PostedNotification;
  /** The user clicked the notification: open the popover. */
  onClick(): void;
  /** The notification could not be posted (unsupported, or `failed`): fall back to the tray. */
  onUndelivered(text: NotificationText, error: string): void;
}

export class Notifier {
  /** Posted notifications are kept referenced; one collected by the GC loses its click handler. */
  private readonly live = new Set<PostedNotification>();

  constructor(private readonly deps: NotifierDeps) {}

  post(text: NotificationText): void {
    if (!this.deps.isSupported()) {
      this.deps.onUndelivered(text, 'notifications are not supported here');
      return;
    }
    const notification = this.deps.create(text);
    this.live.add(notification);
    notification.on('click', () => {
      this.live.delete(notification);
      this.deps.onClick();
    });
    notification.on('close', () => this.live.delete(notification));
    notification.on('failed', (_event, error) => {
      this.live.delete(notification);
      this.deps.onUndelivered(text, error);
    });
    notification.show();
  }
}
