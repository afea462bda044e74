// Electron's security checklist, as code the tests can read: an isolated, sandboxed renderer with no
// Node, no navigation, no new windows, no permissions, no requests outside its own folder, and IPC
// answered only for the popover's own page.

/** An in-memory session of its own: nothing the popover does is written to disk or shared. */
export const POPOVER_PARTITION = 'popover';

export function popoverWebPreferences(preloadPath: string, devTools: boolean) {
  return {
    preload: preloadPath,
    partition: POPOVER_PARTITION,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools,
  } as const;
}

/** The page may load its own files and nothing else (DevTools, when open, loads from devtools:). */
export function isAllowedRequest(url: string, rendererFolderUrl: string): boolean {
  if (url.startsWith('devtools://')) return true;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:') return false;
  // Compare the resolved path, so `..` cannot climb out of the renderer folder.
  return parsed.href.startsWith(rendererFolderUrl.endsWith('/') ? rendererFolderUrl : `${rendererFolderUrl}/`);
}

/** The sender of an IPC call, as `IpcMainInvokeEvent` gives it. */
export interface IpcSender {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** Only the popover's webContents, in its top frame, on the page it was given, may call main. */
export function isTrustedSender(event: IpcSender, popover: { webContentsId: number; url: string }): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return event.sender.id === popover.webContentsId && frame.url === popover.url;
}

/** The parts of `WebContents` hardened here. */
export interface HardenableContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'will-redirect', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

export function blockNavigation(contents: HardenableContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The parts of `Session` hardened here. */
export interface HardenableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

export function lockSession(session: HardenableSession, rendererFolderUrl: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, rendererFolderUrl) }));
}

/**
 * The page's Content-Security-Policy: its own script and style, nothing else, no connections.
 * renderer/index.html carries the same policy in a meta tag; a test keeps the two equal.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'";
