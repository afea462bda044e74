// Command-line arguments of serve.ts.
import { parseArgs } from 'node:util';
import { SERVER_FAULTS, type ServerFault } from './simulated-model.js';

export const SERVE_USAGE = `usage: node serve.js [--host 127.0.0.1] [--port 11434] (--fleet NAME | --models-json FILE)
                     [--version 0.30.1] [--fault NAME]...
  --fleet NAME        a demo server: mac-m1 or dgx-spark
  --models-json FILE  simulated models: an array, or { "models": [...], "loaded": [...] }
  --fault NAME        a server fault, repeatable: ${SERVER_FAULTS.join(', ')}
Prints {"url":"http://HOST:PORT"} on stdout once listening; stops on SIGTERM or SIGINT.`;

export interface ServeArgs {
  host: string;
  port: number;
  models: { fleet: string } | { file: string };
  version: string | undefined;
  faults: ServerFault[];
}

export class ServeUsageError extends Error {}

export function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '11434' },
        fleet: { type: 'string' },
        'models-json': { type: 'string' },
        version: { type: 'string' },
        fault: { type: 'string', multiple: true, default: [] },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ServeUsageError((error as Error).message);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ServeUsageError(`--port must be 0-65535, not ${values.port}`);
  const fleet = values.fleet;
  const file = values['models-json'];
  if ((fleet === undefined) === (file === undefined)) throw new ServeUsageError('give exactly one of --fleet and --models-json');
  const faults = values.fault.map((fault) => {
    if (!(SERVER_FAULTS as readonly string[]).includes(fault)) throw new ServeUsageError(`unknown fault ${fault}`);
    return fault as ServerFault;
  });
  return {
    host: values.host,
    port,
    models: fleet !== undefined ? { fleet } : { file: file ?? '' },
    version: values.version,
    faults,
  };
}
