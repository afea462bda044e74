// A process that holds a lab open until it is stopped, for the tests of what a stopped or killed
// test run leaves behind: `node --import tsx test/lab/hold-lab.ts` prints {"id","pid"} (the lab and
// a `sleep` started in it) once the lab is up, then waits.
import { createLab } from './netns.js';

const lab = await createLab({ hosts: 1 });
const [host] = lab.hosts;
if (!host) throw new Error('a lab of one host has no host');
const sleeper = lab.start(host, 'sleep', ['600']);
process.stdout.write(`${JSON.stringify({ id: lab.id, pid: sleeper.pid })}\n`);
setInterval(() => {}, 60_000);
