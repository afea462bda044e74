// Builds the bundles with esbuild. Output goes to stderr only on errors, so
// `npm run --silent headless -- --json | jq` sees nothing but the report on stdout.
//   node scripts/build.mjs headless   -> dist/headless.cjs, dist/simulator.cjs
//   node scripts/build.mjs app        -> dist/app/: main.cjs, worker.cjs, preload.cjs, tray icons,
//                                        renderer/{index.html,main.js,style.css}
//                                        (APP_OUT_DIR=folder builds it there instead, for tests)
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const targets = process.argv.slice(2);
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', sourcemap: false, legalComments: 'none' };

// Electron 45 runs Node 22 and Chromium 142.
const electronMain = { ...common, target: 'node22', format: 'cjs' };
const appOut = process.env.APP_OUT_DIR ?? 'dist/app';

async function copyInto(folder, files) {
  await mkdir(folder, { recursive: true });
  await Promise.all(files.map((file) => copyFile(file, `${folder}/${file.split('/').pop()}`)));
}

const jobs = {
  headless: () =>
    Promise.all([
      build({ ...common, entryPoints: ['main/headless/cli.ts'], outfile: 'dist/headless.cjs', format: 'cjs' }),
      build({ ...common, entryPoints: ['main/simulator/serve.ts'], outfile: 'dist/simulator.cjs', format: 'cjs' }),
    ]),
  app: () =>
    Promise.all([
      // The source finds its files with import.meta.dirname; in the CommonJS bundle that is __dirname.
      build({ ...electronMain, entryPoints: ['main/app/main.ts'], outfile: `${appOut}/main.cjs`, external: ['electron'], define: { 'import.meta.dirname': '__dirname' } }),
      build({ ...electronMain, entryPoints: ['main/worker/worker.ts'], outfile: `${appOut}/worker.cjs` }),
      // A sandboxed preload is one CommonJS script: it may require('electron') and nothing else.
      build({ ...common, platform: 'browser', target: 'chrome142', format: 'cjs', entryPoints: ['preload/preload.ts'], outfile: `${appOut}/preload.cjs`, external: ['electron'] }),
      build({
        ...common,
        platform: 'browser',
        target: 'chrome142',
        format: 'iife',
        minify: true,
        jsx: 'automatic',
        jsxImportSource: 'preact',
        entryPoints: { main: 'renderer/main.tsx', style: 'renderer/style.css' },
        outdir: `${appOut}/renderer`,
      }),
      copyInto(`${appOut}/renderer`, ['renderer/index.html']),
      copyInto(appOut, ['build/trayTemplate.png', 'build/trayTemplate@2x.png']),
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
