// A stand-in for the `electron` module (there is no Electron binary here): every object the app
// touches, recording what was done to it. Use with `vi.mock('electron', () => import('../mocks/electron.js'))`;
// `resetElectron()` between tests.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One display of 1512x982 points with a 38-point menu bar (a 14" MacBook Pro), unless a test says otherwise. */
export const MAC_DISPLAY = { bounds: { x: 0, y: 0, width: 1512, height: 982 }, workArea: { x: 0, y: 38, width: 1512, height: 944 } };

const registry = {
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  notifications: [] as FakeNotification[],
  sessions: new Map<string, FakeSession>(),
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  exposed: new Map<string, unknown>(),
  displays: [MAC_DISPLAY] as { bounds: Rect; workArea: Rect }[],
  cursor: { x: 0, y: 0 },
  notificationsSupported: true,
  userData: '/nonexistent',
};
let nextContentsId = 1;

export const electronRegistry = registry;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly send = vi.fn();
  readonly setWindowOpenHandler = vi.fn();
  isDestroyed() {
    return false;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  private visible = false;
  bounds: Rect = { x: 0, y: 0, width: 0, height: 0 };
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly setVisibleOnAllWorkspaces = vi.fn();
  readonly focus = vi.fn();

  constructor(readonly options: Record<string, unknown>) {
    super();
    registry.windows.push(this);
  }
  isVisible() {
    return this.visible;
  }
  show() {
    this.visible = true;
    this.emit('show');
  }
  hide() {
    this.visible = false;
  }
  setBounds(bounds: Partial<Rect>) {
    this.bounds = { ...this.bounds, ...bounds };
  }
  getBounds() {
    return this.bounds;
  }
  /** What happens when the user clicks elsewhere. */
  blur() {
    this.emit('blur');
  }
}

export class FakeTray extends EventEmitter {
  title = '';
  toolTip = '';
  bounds: Rect = { x: 1200, y: 0, width: 24, height: 38 };
  readonly popUpContextMenu = vi.fn();
  constructor(readonly image: unknown) {
    super();
    registry.trays.push(this);
  }
  setTitle(title: string) {
    this.title = title;
  }
  setToolTip(toolTip: string) {
    this.toolTip = toolTip;
  }
  getBounds() {
    return this.bounds;
  }
  click() {
    this.emit('click', {}, this.bounds);
  }
  rightClick() {
    this.emit('right-click', {}, this.bounds);
  }
}

export class FakeNotification extends EventEmitter {
  readonly show = vi.fn();
  constructor(readonly options: { title: string; body: string }) {
    super();
    registry.notifications.push(this);
  }
  static isSupported() {
    return registry.notificationsSupported;
  }
}

export class FakeSession {
  permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: (() => boolean) | null = null;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | null = null;
  setPermissionRequestHandler(handler: FakeSession['permissionRequest']) {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheck']) {
    this.permissionCheck = handler;
  }
  readonly webRequest = {
    onBeforeRequest: (listener: FakeSession['beforeRequest']) => {
      this.beforeRequest = listener;
    },
  };
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  readonly dock = { hide: vi.fn() };
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly enableSandbox = vi.fn();
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  getPath(_name: string) {
    return registry.userData;
  }
  getVersion() {
    return '0.1.0';
  }
}

export const app = new FakeApp();
export const BrowserWindow = FakeBrowserWindow;
export const Tray = FakeTray;
export const Notification = FakeNotification;
export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu: vi.fn(),
};
export const clipboard = { writeText: vi.fn() };
export const nativeImage = {
  createFromPath: (path: string) => ({ path, setTemplateImage: vi.fn() }),
};
export const screen = {
  getAllDisplays: () => registry.displays,
  getCursorScreenPoint: () => registry.cursor,
};
export const session = {
  fromPartition: (partition: string) => {
    let found = registry.sessions.get(partition);
    if (!found) {
      found = new FakeSession();
      registry.sessions.set(partition, found);
    }
    return found;
  },
};
export const ipcMain = {
  handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
    registry.handlers.set(channel, handler);
  },
  on: vi.fn(),
};
export const ipcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn(async (..._args: unknown[]) => undefined) });
export const contextBridge = {
  exposeInMainWorld: (name: string, api: unknown) => {
    registry.exposed.set(name, api);
  },
};
export const shell = { openPath: vi.fn() };

/** Calls an IPC handler the way Electron would for a message from `sender` on page `url`. */
export function invokeFrom(sender: { id: number }, url: string, channel: string, ...args: unknown[]): unknown {
  const handler = registry.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ sender, senderFrame: { url, parent: null } }, ...args);
}

export function resetElectron(): void {
  registry.windows.length = 0;
  registry.trays.length = 0;
  registry.notifications.length = 0;
  registry.sessions.clear();
  registry.handlers.clear();
  registry.exposed.clear();
  registry.displays = [MAC_DISPLAY];
  registry.cursor = { x: 0, y: 0 };
  registry.notificationsSupported = true;
  app.removeAllListeners();
  clipboard.writeText.mockClear();
  ipcRenderer.invoke.mockClear();
  ipcRenderer.removeAllListeners();
}

export default { app, BrowserWindow, Tray, Notification, Menu, clipboard, nativeImage, screen, session, ipcMain, ipcRenderer, contextBridge, shell };
