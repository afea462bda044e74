// The worker thread: a host for the core runner and nothing more. It runs `speedrun()` once with
// the options main sends, posts every event back, and aborts the runner when told to cancel.
// Built to dist/app/worker.cjs.
import { parentPort } from 'node:worker_threads';
import { speedrun, realSpeedrunDeps } from '../core/speedrun.js';
import type { FromWorker, ToWorker } from '../contract.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs inside a worker thread, started by the app');

const post = (message: FromWorker) => port.postMessage(message);
const controller = new AbortController();
let started = false;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      if (started) return;
      started = true;
      speedrun(message.options, (event) => post({ type: 'event', event }), controller.signal, realSpeedrunDeps()).catch((error: unknown) =>
        post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
      break;
    case 'cancel':
      controller.abort();
      break;
  }
});
