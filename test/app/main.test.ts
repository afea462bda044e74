// The real entry point, main/app/main.ts, with Electron, electron-store and worker_threads mocked:
// what it creates, how it locks things down, and that a click and a run reach the right objects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { POPOVER_SIZE } from '../../main/app/popover.js';
import { STORE_VERSION } from '../../main/app/store.js';
import { INVOKE, PUSH_CHANNEL, type AppState } from '../../main/contract.js';

vi.mock('electron', () => import('../mocks/electron.js'));
// electron-store is conf in Electron's userData folder; the real one would load the real electron.
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf');
  const { electronRegistry: registry } = await import('../mocks/electron.js');
  return {
    default: class extends Conf<Record<string, unknown>> {
      constructor(options: { name: string; cwd?: string; clearInvalidConfig?: boolean }) {
        super({ configName: options.name, clearInvalidConfig: options.clearInvalidConfig, cwd: options.cwd ?? registry.userData });
      }
    },
  };
});
const workers = vi.hoisted(() => [] as { path: string; messages: unknown[] }[]);
vi.mock('node:worker_threads', async () => {
  const { EventEmitter } = await import('node:events');
  return {
    Worker: class extends EventEmitter {
      readonly record: { path: string; messages: unknown[] };
      constructor(path: string) {
        super();
        this.record = { path, messages: [] };
        workers.push(this.record);
      }
      postMessage(message: unknown) {
        this.record.messages.push(message);
      }
      terminate() {
        return Promise.resolve(1);
      }
    },
  };
});

const appFolder = join(import.meta.dirname, '../../main/app');
const rendererUrl = pathToFileURL(join(appFolder, 'renderer/index.html')).href;
let userData: string;

/** A fresh launch of main.ts, with the electron mock it sees emptied first. */
async function launch() {
  vi.resetModules();
  const electron = (await import('electron')) as unknown as typeof import('../mocks/electron.js');
  electron.resetElectron();
  electron.electronRegistry.userData = userData;
  await import('../../main/app/main.js');
  await new Promise((resolve) => setTimeout(resolve, 0));
  const [window] = electron.electronRegistry.windows;
  const [tray] = electron.electronRegistry.trays;
  if (!window || !tray) throw new Error('main.ts created no window or no tray');
  return { electron, app: electron.app, window, tray };
}

beforeEach(async () => {
  workers.length = 0;
  userData = await mkdtemp(join(tmpdir(), 'speedrun-user-data-'));
});
afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

describe('main.ts', () => {
  it('creates one hidden, frameless, locked-down popover on its own page', async () => {
    const { electron, app, window } = await launch();
    expect(electron.electronRegistry.windows).toHaveLength(1);
    expect(window.options).toMatchObject({ show: false, frame: false, resizable: false, skipTaskbar: true });
    expect(window.options.webPreferences).toMatchObject({
      preload: join(appFolder, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      partition: 'popover',
    });
    expect(window.loadURL).toHaveBeenCalledWith(rendererUrl);
    expect(app.enableSandbox).toHaveBeenCalled();
  });

  it('lives in the menu bar: template tray icon, no Dock icon, an Edit menu for the text fields', async () => {
    const { electron, app, tray } = await launch();
    const image = tray.image as { path: string; setTemplateImage: ReturnType<typeof vi.fn> };
    expect(image.path).toBe(join(appFolder, 'trayTemplate.png'));
    expect(image.setTemplateImage).toHaveBeenCalledWith(true);
    expect(app.dock.hide).toHaveBeenCalled();
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledWith({ template: [{ role: 'appMenu' }, { role: 'editMenu' }] });
  });

  it('shows and places the popover when the tray icon is clicked', async () => {
    const { window, tray } = await launch();
    tray.bounds = { x: 1000, y: 0, width: 30, height: 38 };
    tray.click();
    expect(window.isVisible()).toBe(true);
    expect(window.bounds).toEqual({ x: 1015 - 190, y: 42, width: 380, height: POPOVER_SIZE.height });
  });

  it('denies every permission and cancels every request outside the renderer folder', async () => {
    const { electron } = await launch();
    const session = electron.electronRegistry.sessions.get('popover');
    expect(session).toBeDefined();
    const granted = vi.fn();
    session?.permissionRequest?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(session?.permissionCheck?.()).toBe(false);
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      session?.beforeRequest?.({ url }, (response) => (cancel = response.cancel));
      return cancel;
    };
    expect(decide(rendererUrl)).toBe(false);
    expect(decide(pathToFileURL(join(appFolder, 'renderer/main.js')).href)).toBe(false);
    expect(decide('http://127.0.0.1:11434/api/tags')).toBe(true);
    expect(decide('https://ollama.com/')).toBe(true);
    expect(decide(pathToFileURL(join(appFolder, 'main.cjs')).href)).toBe(true);
    expect(decide(`${rendererUrl}/../../../../etc/passwd`)).toBe(true);
  });

  it('blocks navigation, redirects, webviews and new windows in every web contents', async () => {
    const { electron, app } = await launch();
    const contents = new electron.FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      contents.emit(event, { preventDefault });
      expect(preventDefault, event).toHaveBeenCalled();
    }
    const openHandler = contents.setWindowOpenHandler.mock.calls[0]?.[0] as () => unknown;
    expect(openHandler()).toEqual({ action: 'deny' });
  });

  it('starts the bundled worker when the popover asks for a run, and refuses anyone else', async () => {
    const { electron, window } = await launch();
    const { invokeFrom } = electron;
    expect(() => invokeFrom({ id: window.webContents.id + 1 }, rendererUrl, INVOKE.start)).toThrow(/refused/);
    expect(workers).toHaveLength(0);

    expect(invokeFrom(window.webContents, rendererUrl, INVOKE.start)).toEqual({ ok: true });
    expect(workers).toHaveLength(1);
    expect(workers[0]?.path).toBe(join(appFolder, 'worker.cjs'));
    expect(workers[0]?.messages[0]).toMatchObject({
      type: 'start',
      options: { discovery: { knownServersFile: join(userData, 'known-servers.json'), includeLoopback: true, scan: true } },
    });
    expect(window.webContents.send).toHaveBeenCalledWith(PUSH_CHANNEL, expect.objectContaining({ type: 'state' }));
  });

  it('keeps the settings in the store file in userData', async () => {
    const { electron, window } = await launch();
    const { invokeFrom } = electron;
    const next = { extraHosts: ['studio.local'], scan: false, subnet: null, maxTokens: 64, runs: 1 };
    expect(invokeFrom(window.webContents, rendererUrl, INVOKE.setSettings, next)).toEqual({ ok: true, settings: next });
    const { readFile } = await import('node:fs/promises');
    expect(JSON.parse(await readFile(join(userData, 'speedrun.json'), 'utf8'))).toMatchObject({ version: STORE_VERSION, settings: next });
  });

  it('moves a store file that is not JSON aside, starts afresh, and tells the popover', async () => {
    const { readFile, readdir, writeFile } = await import('node:fs/promises');
    await writeFile(join(userData, 'speedrun.json'), '{"version":3,"settings":{"extraHo');
    const { electron, window, tray } = await launch();
    const state = electron.invokeFrom(window.webContents, rendererUrl, INVOKE.getState) as AppState;

    const aside = (await readdir(userData)).find((name) => name.startsWith('speedrun.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(userData, aside ?? ''), 'utf8')).toBe('{"version":3,"settings":{"extraHo');
    expect(JSON.parse(await readFile(join(userData, 'speedrun.json'), 'utf8'))).toMatchObject({ version: STORE_VERSION, lastRun: null });
    expect(state.notice).toContain(`moved to ${join(userData, aside ?? '')}`);

    tray.click();
    window.blur();
    expect((electron.invokeFrom(window.webContents, rendererUrl, INVOKE.getState) as AppState).notice).toBeNull();
  });

  it('hides the popover instead of closing it, and quits only after the run has stopped', async () => {
    const { app, window } = await launch();
    const closeEvent = { preventDefault: vi.fn() };
    window.emit('close', closeEvent);
    expect(closeEvent.preventDefault).toHaveBeenCalled();

    const quitEvent = { preventDefault: vi.fn() };
    app.emit('before-quit', quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(app.exit).toHaveBeenCalledWith(0);
  });
});
