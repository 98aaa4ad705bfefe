// A plain static web server for the end-to-end tests of deployment: it serves
// the lab's build (test-results/e2e-dist, built by playwright.config.ts's
// webServer) under a sub-path such as /lab/, as GitHub Pages or a school
// server would, on a free port. It records every request it gets, can answer
// nothing at all (the network is down), and can change files on the way out
// (a new deployment).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { extname, join, resolve } from 'node:path';

/** Where playwright.config.ts's webServer builds the lab. */
export const BUILD = resolve('test-results/e2e-dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

export interface LabServer {
  /** The lab's address: http://127.0.0.1:PORT/lab/ (or at the given host name). */
  url: string;
  port: number;
  /** Every path (with query) the server was asked for, in order. */
  requests: string[];
  /** Bytes sent per path (with query). */
  sent: Map<string, number>;
  /** While true the server drops every connection unanswered, as a dead network would. */
  down: boolean;
  /** Changes a file's bytes before they are sent (path inside the build, e.g. 'sw.js'); null: none. */
  rewrite: ((file: string, body: Buffer) => Buffer) | null;
  close(): Promise<void>;
}

/** Serves BUILD under `prefix` ('/lab/'); anything outside it is a 404 (and recorded). */
export async function serveBuild(prefix = '/lab/', host = '127.0.0.1'): Promise<LabServer> {
  const sockets = new Set<Socket>();
  const lab: LabServer = {
    url: '',
    port: 0,
    requests: [],
    sent: new Map(),
    down: false,
    rewrite: null,
    close: () =>
      new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const raw = req.url ?? '/';
    lab.requests.push(raw);
    if (lab.down) {
      req.socket.destroy();
      return;
    }
    const path = decodeURIComponent(new URL(raw, 'http://x').pathname);
    if (!path.startsWith(prefix) || path.includes('..')) {
      res.writeHead(404).end('not found');
      return;
    }
    let file = path.slice(prefix.length);
    if (file === '' || file.endsWith('/')) file += 'index.html';
    try {
      if (!(await stat(join(BUILD, file))).isFile()) throw new Error('not a file');
      let body: Buffer = await readFile(join(BUILD, file));
      if (lab.rewrite) body = lab.rewrite(file, body);
      // Revalidated on every use, as a static server does with ETags: an unchanged file costs a 304.
      const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      const head = { ETag: etag, 'Cache-Control': 'no-cache' };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, head).end();
        return;
      }
      res.writeHead(200, {
        ...head,
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      res.end(body);
      lab.sent.set(raw, (lab.sent.get(raw) ?? 0) + body.length);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  lab.port = typeof addr === 'object' && addr ? addr.port : 0;
  lab.url = `http://${host}:${lab.port}${prefix}`;
  return lab;
}
