// `--host` values and OLLAMA_HOST, read the way Ollama itself reads OLLAMA_HOST (envconfig.Host and
// ConnectableHost in Ollama's Go source), so a value that works for `ollama` works here too.
// Where Ollama quietly falls back (a bad port becomes the default port), a client pointed at the
// wrong place helps nobody, so this module says what is wrong instead.
import net from 'node:net';

export const OLLAMA_DEFAULT_PORT = 11434;

export class OllamaHostError extends Error {
  constructor(
    readonly value: string,
    message: string,
  ) {
    super(message);
    this.name = 'OllamaHostError';
  }
}

export interface OllamaHost {
  scheme: 'http' | 'https';
  /** An IPv4 address, a bare IPv6 address (no brackets) or a lower-case host name; '' for `:1234`. */
  host: string;
  port: number;
  /** A reverse-proxy path without leading or trailing slash, usually ''. */
  path: string;
}

/** Ollama's `Var`: spaces, then quotes, then spaces again are trimmed. */
export function cleanHostValue(value: string): string {
  return value.trim().replace(/^["']+|["']+$/g, '').trim();
}

/** Go's net.SplitHostPort; null where Go returns an error. */
function splitHostPort(hostport: string): { host: string; port: string } | null {
  const lastColon = hostport.lastIndexOf(':');
  if (lastColon < 0) return null;
  let host: string;
  let scanOpenFrom = 0;
  let scanCloseFrom = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== lastColon) return null;
    host = hostport.slice(1, end);
    scanOpenFrom = 1;
    scanCloseFrom = end + 1;
  } else {
    host = hostport.slice(0, lastColon);
    if (host.includes(':')) return null;
  }
  if (hostport.slice(scanOpenFrom).includes('[') || hostport.slice(scanCloseFrom).includes(']')) return null;
  return { host, port: hostport.slice(lastColon + 1) };
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

function checkHost(raw: string, value: string): string {
  if (raw === '') return '';
  if (raw.includes(':')) {
    if (raw.includes('%')) {
      throw new OllamaHostError(value, `"${value}": IPv6 zone ids (the %${raw.split('%')[1]} part) are not supported`);
    }
    if (!net.isIPv6(raw)) throw new OllamaHostError(value, `"${value}": ${raw} is not a valid IPv6 address`);
    // The URL parser prints an IPv6 address in its canonical compressed form.
    return new URL(`http://[${raw}]/`).hostname.slice(1, -1);
  }
  const host = raw.toLowerCase();
  if (/^[0-9.]+$/.test(host)) {
    if (!net.isIPv4(host)) throw new OllamaHostError(value, `"${value}": ${raw} is not a valid IPv4 address`);
    return host;
  }
  if (!HOST_NAME.test(host)) throw new OllamaHostError(value, `"${value}": ${raw} is not a valid host name or address`);
  return host;
}

function checkPort(raw: string, value: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new OllamaHostError(value, `"${value}": the port must be a number from 1 to 65535, not "${raw}"`);
  }
  const port = Number(raw);
  if (port === 0) {
    throw new OllamaHostError(value, `"${value}": port 0 lets a server pick any port; give the port it listens on`);
  }
  return port;
}

/**
 * Reads an OLLAMA_HOST-style value as Ollama does: `1.2.3.4` (port 11434), `1.2.3.4:1234`, `:1234`,
 * `[::1]:1337`, `::1`, `http://host` (port 80), `https://host` (port 443), `ollama.com` (https:443),
 * an optional proxy path. An empty value is Ollama's default, 127.0.0.1:11434.
 */
export function parseOllamaHost(value: string): OllamaHost {
  const cleaned = cleanHostValue(value);
  let defaultPort = OLLAMA_DEFAULT_PORT;
  let scheme: 'http' | 'https' = 'http';
  let rest = cleaned;
  const schemeEnd = cleaned.indexOf('://');
  if (schemeEnd >= 0) {
    const named = cleaned.slice(0, schemeEnd).toLowerCase();
    if (named !== 'http' && named !== 'https') {
      throw new OllamaHostError(value, `"${value}": unsupported scheme "${named}"; use http:// or https://`);
    }
    scheme = named;
    defaultPort = named === 'http' ? 80 : 443;
    rest = cleaned.slice(schemeEnd + 3);
  } else if (cleaned === 'ollama.com') {
    return { scheme: 'https', host: 'ollama.com', port: 443, path: '' };
  }

  const slash = rest.indexOf('/');
  const hostport = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash + 1).replace(/\/+$/, '') : '';
  if (!/^[\w.~%/-]*$/.test(path)) {
    throw new OllamaHostError(value, `"${value}": the path "/${path}" has characters a server path cannot have`);
  }

  const split = splitHostPort(hostport);
  if (split) {
    return { scheme, host: checkHost(split.host, value), port: checkPort(split.port, value), path };
  }
  // Go's fallback: no port (or an unsplittable value), so the whole thing is the host.
  const bare = hostport.replace(/^\[+|\]+$/g, '');
  return { scheme, host: bare === '' ? '127.0.0.1' : checkHost(bare, value), port: defaultPort, path };
}

/**
 * The address a client connects to: Ollama's ConnectableHost turns the unspecified bind addresses
 * into loopback, `:1234` means this machine, and `localhost` becomes 127.0.0.1 because it may
 * resolve to ::1 first while Ollama binds 127.0.0.1.
 */
export function connectableHost(parsed: OllamaHost): OllamaHost {
  const host = parsed.host;
  if (host === '' || host === '0.0.0.0' || host === 'localhost') return { ...parsed, host: '127.0.0.1' };
  if (host === '::') return { ...parsed, host: '::1' };
  return parsed;
}

export function formatHostUrl(target: OllamaHost): string {
  const address = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.scheme}://${address}:${target.port}${target.path ? `/${target.path}` : ''}`;
}

/** A `--host` value or OLLAMA_HOST as the normalised URL a client uses, e.g. `http://127.0.0.1:11434`. */
export function parseHostValue(value: string): string {
  if (cleanHostValue(value) === '') throw new OllamaHostError(value, 'an empty host was given; name a server, e.g. 192.168.1.20 or 192.168.1.20:11434');
  return formatHostUrl(connectableHost(parseOllamaHost(value)));
}
