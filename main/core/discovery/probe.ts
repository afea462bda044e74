// One TCP connection attempt, closed as soon as it is made: is anything listening there?
import net from 'node:net';

export const DEFAULT_PROBE_TIMEOUT_MS = 500;

export type ProbeOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** The system error code for 'refused', 'unreachable' and 'error' (ECONNREFUSED, EHOSTUNREACH, ...). */
  code?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export type TcpProbe = (address: string, port: number, options: ProbeOptions) => Promise<ProbeResult>;

export function classifyConnectError(code: string | undefined): ProbeResult {
  if (code === 'ECONNREFUSED') return { outcome: 'refused', code };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { outcome: 'unreachable', code };
  if (code === 'ETIMEDOUT') return { outcome: 'timeout', code };
  return { outcome: 'error', code: code ?? 'UNKNOWN' };
}

/** Connects with a deadline. Rejects with the signal's reason when it is aborted, at once. */
export const tcpProbe: TcpProbe = (address, port, { timeoutMs, signal }) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = net.connect({ host: address, port });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      finish();
    };
    const timer = setTimeout(() => settle(() => resolve({ outcome: 'timeout' })), timeoutMs);
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle(() => resolve({ outcome: 'open' })));
    socket.once('error', (error: NodeJS.ErrnoException) => settle(() => resolve(classifyConnectError(error.code))));
  });
