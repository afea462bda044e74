import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAllowedRequest, isTrustedSender, popoverWebPreferences } from '../../main/app/security.js';

const RENDERER = 'file:///Applications/Ollama%20Speedrun.app/Contents/Resources/app.asar/dist/app/renderer';

describe('the popover page', () => {
  it('carries the strict Content-Security-Policy: own script and style, no connections', async () => {
    const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('loads no inline script and nothing from outside its folder', async () => {
    const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/)/);
  });
});

describe('isAllowedRequest', () => {
  it.each([
    [`${RENDERER}/index.html`, true],
    [`${RENDERER}/main.js`, true],
    ['devtools://devtools/bundled/inspector.html', true],
    [`${RENDERER}/../main.cjs`, false],
    [`${RENDERER}/%2e%2e/preload.cjs`, false],
    [`${RENDERER}-evil/index.html`, false],
    ['file:///etc/passwd', false],
    ['http://127.0.0.1:11434/api/tags', false],
    ['https://ollama.com/', false],
    ['ws://127.0.0.1:9000/', false],
    ['data:text/html,<script>1</script>', false],
    ['not a url', false],
  ])('%s -> %s', (url, allowed) => {
    expect(isAllowedRequest(url, RENDERER)).toBe(allowed);
  });
});

describe('isTrustedSender', () => {
  const popover = { webContentsId: 7, url: `${RENDERER}/index.html` };
  it('trusts the popover top frame on its own page only', () => {
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: { url: popover.url, parent: null } }, popover)).toBe(true);
    expect(isTrustedSender({ sender: { id: 8 }, senderFrame: { url: popover.url, parent: null } }, popover)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: { url: `${popover.url}#x`, parent: null } }, popover)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: { url: popover.url, parent: {} } }, popover)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: null }, popover)).toBe(false);
  });
});

describe('popoverWebPreferences', () => {
  it('isolates and sandboxes the page and gives it no Node', () => {
    expect(popoverWebPreferences('/app/preload.cjs', false)).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });
});
