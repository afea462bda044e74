// Builds every bundle once, before any test file runs. Test files run in parallel: if each rebuilt
// dist/ itself, one could execute a bundle while another was halfway through rewriting it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export default async function buildBundles(): Promise<void> {
  const root = new URL('../', import.meta.url).pathname;
  await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: root });
}
