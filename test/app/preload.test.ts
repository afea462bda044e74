// The preload, with electron mocked: what it puts in the page, and what each function sends.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BRIDGE_NAME, INVOKE, PUSH_CHANNEL, type SpeedrunBridge, type ToRenderer } from '../../main/contract.js';
import { DEFAULT_SETTINGS } from '../../main/app/store.js';

vi.mock('electron', () => import('../mocks/electron.js'));

let electron: typeof import('../mocks/electron.js');
let bridge: SpeedrunBridge;

beforeAll(async () => {
  electron = (await import('electron')) as unknown as typeof import('../mocks/electron.js');
  await import('../../preload/preload.js');
  bridge = electron.electronRegistry.exposed.get(BRIDGE_NAME) as SpeedrunBridge;
});

describe('the preload', () => {
  it('exposes exactly the narrow bridge, as functions, and no IPC object', () => {
    expect([...electron.electronRegistry.exposed.keys()]).toEqual([BRIDGE_NAME]);
    expect(Object.keys(bridge).sort()).toEqual(['copy', 'getSettings', 'getState', 'setSettings', 'start', 'stop', 'subscribe']);
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer);
  });

  it('sends each call on its contract channel with its payload', async () => {
    const request = { host: 'http://studio.local:11434', model: 'qwen3:8b', form: 'run' as const };
    await bridge.start();
    await bridge.stop();
    await bridge.copy(request);
    await bridge.getState();
    await bridge.getSettings();
    await bridge.setSettings(DEFAULT_SETTINGS);
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      [INVOKE.start],
      [INVOKE.stop],
      [INVOKE.copy, request],
      [INVOKE.getState],
      [INVOKE.getSettings],
      [INVOKE.setSettings, DEFAULT_SETTINGS],
    ]);
  });

  it('hands the page the pushed message alone, never the IPC event, until unsubscribed', () => {
    const received: unknown[][] = [];
    const unsubscribe = bridge.subscribe((...args) => received.push(args));
    const message: ToRenderer = { type: 'event', event: { type: 'phase', phase: 'discover' } };
    electron.ipcRenderer.emit(PUSH_CHANNEL, { sender: electron.ipcRenderer, senderId: 0 }, message);
    expect(received).toEqual([[message]]);
    unsubscribe();
    electron.ipcRenderer.emit(PUSH_CHANNEL, {}, message);
    expect(received).toHaveLength(1);
    expect(electron.ipcRenderer.listenerCount(PUSH_CHANNEL)).toBe(0);
  });
});
