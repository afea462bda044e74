// Server-wide faults: things that answer on 11434 but are not a healthy Ollama.
import type http from 'node:http';
import { tagsEntry } from './catalog.js';
import { goJson } from './go-json.js';
import { JSON_TYPE, sendBody, writeWithBackpressure } from './http-reply.js';
import type { SimulatedModel } from './simulated-model.js';

const HUGE_TAGS_BYTES = 100 * 1000 * 1000;
const SLAB_BYTES = 64 * 1024;

const NGINX_WELCOME =
  '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n' +
  '<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and working.</p>\n' +
  '</body>\n</html>\n';
const NGINX_NOT_FOUND =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n' +
  '<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n';
const FORBIDDEN_PAGE =
  '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n';

/** `not-ollama`: a stock web server, welcome page at `/` and 404 elsewhere. */
export function answerAsWebServer(res: http.ServerResponse, path: string): void {
  res.setHeader('Server', 'nginx/1.24.0');
  if (path === '/') sendBody(res, 200, 'text/html', NGINX_WELCOME);
  else sendBody(res, 404, 'text/html', NGINX_NOT_FOUND);
}

/** `forbidden`: a proxy or firewall page refusing everything. */
export function answerForbidden(res: http.ServerResponse): void {
  sendBody(res, 403, 'text/html', FORBIDDEN_PAGE);
}

/** `tags-malformed`: the list cut off mid-entry. */
export function answerMalformedTags(res: http.ServerResponse): void {
  sendBody(res, 200, JSON_TYPE, '{"models":[{"name":"llama3.2:3b","model":"llama3.2:3b","size":20191');
}

/**
 * `tags-huge-body`: a valid-looking list of 100 MB, chunked with no Content-Length so the client
 * has to cap it while reading. Written slab by slab, waiting for the socket to drain.
 */
export async function answerHugeTags(res: http.ServerResponse, models: readonly SimulatedModel[], modifiedAt: number): Promise<void> {
  const [first] = models;
  const entry = first ? goJson(tagsEntry(first, modifiedAt)) : '{"name":"padding:latest","model":"padding:latest","size":0}';
  const slab = `${entry},`.repeat(Math.max(1, Math.floor(SLAB_BYTES / (entry.length + 1))));
  res.writeHead(200, { 'Content-Type': JSON_TYPE });
  let written = 0;
  if (!(await writeWithBackpressure(res, '{"models":['))) return;
  while (written < HUGE_TAGS_BYTES) {
    if (!(await writeWithBackpressure(res, slab))) return;
    written += slab.length;
  }
  res.end(`${entry}]}`);
}
