// Registers main's side of the invoke contract. Every call is checked against the popover before
// its handler runs, and handlers see their arguments as `unknown`: they come from a renderer.
import type { InvokeChannel, InvokeContract } from '../contract.js';
import type { IpcSender } from './security.js';

type Untrusted<Args extends unknown[]> = { [K in keyof Args]: unknown };

export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: Untrusted<InvokeContract[C]['args']>) => InvokeContract[C]['result'] | Promise<InvokeContract[C]['result']>;
};

/** The part of `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSender, ...args: unknown[]) => unknown): void;
}

export class RefusedSenderError extends Error {
  override name = 'RefusedSenderError';
}

export function registerInvokeHandlers(ipc: IpcMainLike, handlers: InvokeHandlers, isTrusted: (event: IpcSender) => boolean): void {
  for (const channel of Object.keys(handlers) as InvokeChannel[]) {
    const handler = handlers[channel] as (...args: unknown[]) => unknown;
    ipc.handle(channel, (event, ...args) => {
      if (!isTrusted(event)) {
        throw new RefusedSenderError(`${channel} refused: the call did not come from the popover`);
      }
      return handler(...args);
    });
  }
}
