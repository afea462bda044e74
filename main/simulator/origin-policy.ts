// Who Ollama answers: the CORS origin allow-list (envconfig.AllowedOrigins with gin-contrib/cors
// wildcards) and, for a server bound to loopback, the Host-header check against DNS rebinding.
import net from 'node:net';

const LOCAL_NAMES = ['localhost', '127.0.0.1', '0.0.0.0'];
const ALLOWED_ORIGINS = [
  ...LOCAL_NAMES.flatMap((name) => [`http://${name}`, `https://${name}`, `http://${name}:*`, `https://${name}:*`]),
  'app://*',
  'file://*',
  'tauri://*',
  'vscode-webview://*',
  'vscode-file://*',
];
const EXTENSION_SCHEMES = ['chrome-extension://', 'safari-extension://', 'moz-extension://', 'ms-browser-extension://'];

function matches(pattern: string, origin: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === origin;
  return origin.startsWith(pattern.slice(0, star)) && origin.endsWith(pattern.slice(star + 1));
}

/** A request without Origin is not a CORS request; a same-origin one always passes. */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  if (EXTENSION_SCHEMES.some((scheme) => origin.startsWith(scheme))) return true;
  return ALLOWED_ORIGINS.some((pattern) => matches(pattern, origin));
}

function hostName(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed?.[1]) return bracketed[1];
  const colon = hostHeader.lastIndexOf(':');
  return colon > -1 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}

function isLocalAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || address === '0.0.0.0';
  }
  const lower = address.toLowerCase();
  return lower === '::1' || lower === '::' || /^f[cd]/.test(lower);
}

/** Go's netip.Addr.IsLoopback, for the address the double listens on. */
export function isLoopback(address: string): boolean {
  return (net.isIPv4(address) && address.startsWith('127.')) || address === '::1';
}

export function hostAllowed(hostHeader: string | undefined): boolean {
  const host = hostName(hostHeader ?? '').toLowerCase();
  if (net.isIP(host)) return isLocalAddress(host);
  return host === '' || host === 'localhost' || ['.localhost', '.local', '.internal'].some((tld) => host.endsWith(tld));
}
