import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** How the loopback server misbehaves for one path. */
export interface Route {
  /** The bytes of the shard; a function is called per request (e.g. a shard that changes between requests). */
  readonly body: Buffer | ((request: number) => Buffer);
  /** Honour `Range` and advertise `Accept-Ranges: bytes` (default true). */
  readonly ranges?: boolean;
  /** For request n (1-based): destroy the connection after this many body bytes. */
  readonly dropAfter?: (request: number) => number | undefined;
  /** For request n: send this many body bytes, then stall forever (until the client gives up). */
  readonly stallAfter?: (request: number) => number | undefined;
  /** For request n: answer this status with no body. */
  readonly status?: (request: number) => number | undefined;
  /** Write the body in pieces of this many bytes, waiting `delayMs` between them (a slow link). */
  readonly throttle?: { readonly bytes: number; readonly delayMs: number };
  /** Gzip the body with `Content-Encoding: gzip` when the client's Accept-Encoding allows it (as CDNs do). */
  readonly gzipWhenAccepted?: boolean;
  /** Write this many bytes, then wait for the promise before writing the rest. */
  readonly gate?: { readonly after: number; readonly open: Promise<void> };
}

/** A loopback HTTP server serving shards by path, counting requests and recording their `Range` headers. */
export interface ShardServer {
  readonly base: string;
  readonly routes: Map<string, Route>;
  /** Requests per path, with their Range header (or null). */
  readonly requests: Map<string, (string | null)[]>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startShardServer(): Promise<ShardServer> {
  const routes = new Map<string, Route>();
  const requests = new Map<string, (string | null)[]>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => void serve(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const route = routes.get(req.url ?? '');
    const seen = requests.get(req.url ?? '') ?? [];
    seen.push(req.headers.range ?? null);
    requests.set(req.url ?? '', seen);
    const n = seen.length;
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const status = route.status?.(n);
    if (status !== undefined) {
      res.writeHead(status).end();
      return;
    }
    const stored = typeof route.body === 'function' ? route.body(n) : route.body;
    const gzip = route.gzipWhenAccepted === true && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const full = gzip ? zlib.gzipSync(stored) : stored;
    const etag = `"${createHash('sha256').update(full).digest('hex').slice(0, 16)}"`;
    const ranges = route.ranges ?? true;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (ranges && range && (ifRange === undefined || ifRange === etag)) start = Number(range[1]);
    const body = full.subarray(start);
    const headers: Record<string, string> = { 'content-length': String(body.length), etag };
    if (ranges) headers['accept-ranges'] = 'bytes';
    if (gzip) headers['content-encoding'] = 'gzip';
    if (start > 0) headers['content-range'] = `bytes ${start}-${full.length - 1}/${full.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const drop = route.dropAfter?.(n);
    const stall = route.stallAfter?.(n);
    const limit = Math.min(drop ?? Infinity, stall ?? Infinity, body.length);
    const piece = route.throttle?.bytes ?? body.length;
    for (let at = 0; at < limit; ) {
      if (route.gate && at >= route.gate.after) await route.gate.open;
      const end = Math.min(limit, at + piece, route.gate && at < route.gate.after ? route.gate.after : Infinity);
      await new Promise<void>((resolve) => res.write(body.subarray(at, end), () => resolve()));
      at = end;
      if (route.throttle && at < limit) await sleep(route.throttle.delayMs);
    }
    if (drop !== undefined && drop < body.length) res.destroy();
    else if (stall !== undefined && stall < body.length) return; // never ends; the client's stall timeout fires
    else res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
