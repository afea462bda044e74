// A process that holds a lab open until it is stopped, for the tests of what a stopped or killed
// test run leaves behind: `node --import tsx test/lab/hold-lab.ts` prints {"id","pid"} (the lab and
// a `sleep` started in it) once the sleep runs, then waits.
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createLab } from './netns.js';

const lab = await createLab({ hosts: 1 });
const [host] = lab.hosts;
if (!host) throw new Error('a lab of one host has no host');
const sleeper = lab.start(host, 'sleep', ['600']);
// Until `ip netns exec` and setpriv have exec'd into sleep, the death signal may not be set yet.
const command = () => {
  try {
    return readFileSync(`/proc/${sleeper.pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};
const deadline = Date.now() + 10_000;
while (command() !== 'sleep') {
  if (Date.now() > deadline) throw new Error(`sleep did not start in the lab (the process is "${command()}")`);
  await delay(10);
}
process.stdout.write(`${JSON.stringify({ id: lab.id, pid: sleeper.pid })}\n`);
setInterval(() => {}, 60_000);
