// The popover's whole API: a few narrow functions over the typed contract. The renderer never sees
// ipcRenderer itself, so it can only ask for what is listed here.
import { INVOKE, PUSH_CHANNEL, type InvokeChannel, type InvokeContract, type SpeedrunBridge, type ToRenderer } from '../main/contract.js';

/** The parts of `ipcRenderer` used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: ToRenderer) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, message: ToRenderer) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): SpeedrunBridge {
  const invoke = <C extends InvokeChannel>(channel: C, ...args: InvokeContract[C]['args']) =>
    ipc.invoke(channel, ...args) as Promise<InvokeContract[C]['result']>;
  return {
    start: () => invoke(INVOKE.start),
    stop: () => invoke(INVOKE.stop),
    copy: (request) => invoke(INVOKE.copy, request),
    getState: () => invoke(INVOKE.getState),
    getSettings: () => invoke(INVOKE.getSettings),
    setSettings: (settings) => invoke(INVOKE.setSettings, settings),
    subscribe: (listener) => {
      // The IPC event (with its sender) stays here; the page gets the message alone.
      const forward = (_event: unknown, message: ToRenderer) => listener(message);
      ipc.on(PUSH_CHANNEL, forward);
      return () => {
        ipc.removeListener(PUSH_CHANNEL, forward);
      };
    },
  };
}
