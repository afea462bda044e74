// Builds the bundles with esbuild. Output goes to stderr only on errors, so
// `npm run --silent headless -- --json | jq` sees nothing but the report on stdout.
//   node scripts/build.mjs headless   -> dist/headless.cjs, dist/simulator.cjs
import { build } from 'esbuild';

const targets = process.argv.slice(2);
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', sourcemap: false, legalComments: 'none' };

const jobs = {
  headless: () =>
    Promise.all([
      build({ ...common, entryPoints: ['main/headless/cli.ts'], outfile: 'dist/headless.cjs', format: 'cjs' }),
      build({ ...common, entryPoints: ['main/simulator/serve.ts'], outfile: 'dist/simulator.cjs', format: 'cjs' }),
    ]),
};

for (const target of targets.length > 0 ? targets : Object.keys(jobs)) {
  const job = jobs[target];
  if (!job) {
    console.error(`unknown build target: ${target} (known: ${Object.keys(jobs).join(', ')})`);
    process.exit(1);
  }
  await job();
}
