// The Electron entry point: creates the real Electron objects and hands them to MenuBarApp, which
// holds every decision. Built to dist/app/main.cjs.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BrowserWindow, Menu, Notification, Tray, app, clipboard, ipcMain, nativeImage, screen, session } from 'electron';
import ElectronStore from 'electron-store';
import { KNOWN_SERVERS_FILE_NAME } from '../core/discovery/known-servers.js';
import { PUSH_CHANNEL } from '../contract.js';
import { MenuBarApp, type MenuItem } from './menu-bar-app.js';
import { POPOVER_SIZE } from './popover.js';
import { POPOVER_PARTITION, blockNavigation, lockSession, popoverWebPreferences } from './security.js';
import { STORE_NAME, openStore } from './store-file.js';

// Everything ships in dist/app (electron-builder.yml): main.cjs, preload.cjs, worker.cjs (Electron
// starts workers from inside the asar archive), the tray icons and renderer/.
const here = import.meta.dirname;
const rendererFolder = path.join(here, 'renderer');
const rendererUrl = pathToFileURL(path.join(rendererFolder, 'index.html')).href;

function createPopoverWindow(): BrowserWindow {
  const window = new BrowserWindow({
    ...POPOVER_SIZE,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    webPreferences: popoverWebPreferences(path.join(here, 'preload.cjs'), !app.isPackaged),
  });
  window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
  void window.loadURL(rendererUrl);
  return window;
}

function start(): void {
  // LSUIElement keeps the packaged app out of the Dock; `electron .` needs telling.
  if (!app.isPackaged) app.dock?.hide();
  // Without an Edit menu, Cmd+C/V/X/A do nothing in the settings fields.
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }]));
  lockSession(session.fromPartition(POPOVER_PARTITION), pathToFileURL(rendererFolder).href);

  const userData = app.getPath('userData');
  const store = openStore({
    path: path.join(userData, `${STORE_NAME}.json`),
    open: () => {
      // clearInvalidConfig off: a file that is not JSON throws here, and openStore moves it aside
      // with a message, where conf would quietly start over on top of it. Writes are atomic: conf
      // (node_modules/conf, `_write`) writes through `atomically`, which writes a temporary file
      // next to it, fsyncs it and renames it over the old one, so a crash or a power cut mid-write
      // leaves the previous file whole. (conf writes in place only under a Snap, or after EXDEV on
      // Windows; neither applies on macOS.)
      const file = new ElectronStore<Record<string, unknown>>({ name: STORE_NAME, cwd: userData, clearInvalidConfig: false });
      return {
        read: () => file.store,
        write: (data) => {
          file.store = data;
        },
      };
    },
    rename: renameSync,
    nowMs: Date.now(),
  });

  const window = createPopoverWindow();
  const icon = nativeImage.createFromPath(path.join(here, 'trayTemplate.png'));
  icon.setTemplateImage(true);
  const tray = new Tray(icon);

  const menuBarApp = new MenuBarApp({
    tray,
    window,
    screen,
    showMenu: (items: MenuItem[]) => tray.popUpContextMenu(Menu.buildFromTemplate(items)),
    clipboard,
    notifications: {
      isSupported: () => Notification.isSupported(),
      create: ({ title, body }) => new Notification({ title, body }),
    },
    ipc: ipcMain,
    pushChannel: PUSH_CHANNEL,
    store,
    createWorker: () => new Worker(path.join(here, 'worker.cjs')),
    runEnvironment: {
      ollamaHostEnv: process.env.OLLAMA_HOST,
      knownServersFile: path.join(app.getPath('userData'), KNOWN_SERVERS_FILE_NAME),
    },
    rendererUrl,
    quit: () => app.quit(),
    now: () => Date.now(),
    schedule: (ms, callback) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  });

  app.on('second-instance', () => menuBarApp.popover.show(tray.getBounds()));
  let quitting = false;
  window.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      window.hide();
    }
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void menuBarApp.shutdown().finally(() => app.exit(0));
  });
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => blockNavigation(contents));
// The popover is hidden, never closed; the app lives in the menu bar until Quit.
app.on('window-all-closed', () => undefined);
if (app.requestSingleInstanceLock()) {
  void app.whenReady().then(start);
} else {
  app.quit();
}
