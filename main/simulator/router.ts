// Matching a request to a route the way gin does: exact path, then 405 (with Allow) when the path
// exists under other methods, else 404.
import type { Handler, Method, RouteTable } from './routes.js';

/** gin lists a path's methods in the order its method trees were first registered. */
const ALLOW_ORDER: readonly Method[] = ['HEAD', 'GET', 'POST', 'DELETE'];

export type Resolution =
  | { kind: 'handler'; handler: Handler }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string };

export function resolveRoute(table: RouteTable, method: string, path: string): Resolution {
  const route = table[path];
  if (!route) return { kind: 'not-found' };
  const handler = route[method as Method];
  if (handler) return { kind: 'handler', handler };
  return { kind: 'method-not-allowed', allow: ALLOW_ORDER.filter((allowed) => route[allowed]).join(', ') };
}

/** gin's bare 404/405 bodies, sent as plain `text/plain`. */
export const NOT_FOUND_BODY = '404 page not found';
export const METHOD_NOT_ALLOWED_BODY = '405 method not allowed';
