// A stand-in for the preload's bridge in component tests: answers like main, records every call,
// and pushes what a test tells it to.
import { vi } from 'vitest';
import type { AppState, CopyRequest, CopyResult, Settings, SettingsResult, SpeedrunBridge, ToRenderer } from '../../main/contract.js';
import type { SpeedrunEvent } from '../../main/core/events.js';
import { DEFAULT_SETTINGS } from '../../main/app/store.js';

export const IDLE: AppState = { status: 'idle', events: [], last: null, crash: null, notice: null };

export class FakeBridge implements SpeedrunBridge {
  private listeners = new Set<(message: ToRenderer) => void>();
  settings: Settings = { ...DEFAULT_SETTINGS };
  settingsAnswer: SettingsResult | null = null;
  copyAnswer: (request: CopyRequest) => CopyResult = (request) => ({ ok: true, text: request.form === 'run' ? `ollama run ${request.model}` : request.model });

  constructor(public state: AppState = IDLE) {}

  readonly start = vi.fn(async () => ({ ok: true as const }));
  readonly stop = vi.fn(async () => undefined);
  readonly copy = vi.fn(async (request: CopyRequest) => this.copyAnswer(request));
  readonly getState = vi.fn(async () => this.state);
  readonly getSettings = vi.fn(async () => this.settings);
  readonly setSettings = vi.fn(async (settings: Settings): Promise<SettingsResult> => this.settingsAnswer ?? { ok: true, settings });

  subscribe(listener: (message: ToRenderer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(message: ToRenderer): void {
    if (message.type === 'state') this.state = message.state;
    for (const listener of this.listeners) listener(message);
  }

  events(events: SpeedrunEvent[]): void {
    for (const event of events) this.push({ type: 'event', event });
  }
}
