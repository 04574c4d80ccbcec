/**
 * Browser mode: the renderer served from localhost and the contract over one WebSocket.
 * Bound to 127.0.0.1 only; every WebSocket must present the session token, and requests whose
 * Host or Origin is not this server are refused (DNS-rebinding defence).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isEventName, type ContractError } from '../../src-shared/contract';
import type { Workbench } from '../services/api';
import { packageRoot } from '../engine/paths';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_MESSAGE_BYTES = 1 << 20;

export interface ServeOptions {
  port?: number;
  token?: string;
  rendererDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function allowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** The request's path, decoded; null when it is not a valid URL path (bad percent-escapes, …). */
function requestPath(req: IncomingMessage): string | null {
  try {
    return decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return null;
  }
}

function badRequest(res: ServerResponse): void {
  res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  const path = requestPath(req);
  if (path === null || path.includes('\0')) {
    badRequest(res);
    return;
  }
  const rel = path === '/' ? 'index.html' : path.slice(1);
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  // A file that vanished or became unreadable since the check ends this response only.
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

type ParsedRequest = { id: number | null; op: string; input: unknown } | { id: number | null; error: ContractError };

/** One WebSocket message as a request `{id?, op, input?}`, or the typed error to answer it with. */
export function parseRequest(raw: RawData, isBinary: boolean): ParsedRequest {
  if (isBinary) return { id: null, error: { code: 'invalid_input', message: 'binary messages are not accepted; send JSON text' } };
  let msg: unknown;
  try {
    msg = JSON.parse(rawText(raw));
  } catch {
    return { id: null, error: { code: 'invalid_input', message: 'message is not JSON' } };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { id: null, error: { code: 'invalid_input', message: 'message is not a JSON object {id, op, input}' } };
  }
  const { id, op, input } = msg as { id?: unknown; op?: unknown; input?: unknown };
  const requestId = typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
  if (typeof op !== 'string') return { id: requestId, error: { code: 'invalid_input', message: "'op' must be the name of an operation (a string)", field: 'op' } };
  return { id: requestId, op, input };
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return (Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('utf8');
}

export async function startServer(workbench: Workbench, options: ServeOptions = {}): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const root = options.rendererDir ?? join(packageRoot(), 'out', 'renderer');
  if (!existsSync(join(root, 'index.html'))) throw new Error(`renderer not built (${root}/index.html missing): run 'npm run build'`);
  let port = options.port ?? 0;

  // Every handler below is guarded: whatever one request or socket sends, the failure stays with
  // that request or socket and the server goes on serving the others.
  const http: Server = createServer((req, res) => {
    try {
      if (!allowedHost(req.headers.host, port)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
        return;
      }
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      serveStatic(root, req, res);
    } catch {
      if (!res.headersSent) badRequest(res);
      else res.destroy();
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const origin = req.headers.origin;
      const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
      if (url.pathname !== '/ws' || !allowedHost(req.headers.host, port) || !originOk || !sameToken(url.searchParams.get('token') ?? '', token)) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    }
  });

  const attach = (ws: WebSocket): void => {
    const send = (message: unknown): void => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch (err) {
        const id = (message as { id?: unknown }).id ?? null;
        text = JSON.stringify({ id, ok: false, error: { code: 'internal', message: `the reply could not be encoded: ${(err as Error).message}` } });
      }
      ws.send(text, (err) => {
        if (err) ws.terminate();
      });
    };
    const unsubscribe = workbench.bus.subscribe((event, payload) => {
      if (isEventName(event)) send({ event, payload });
    });
    ws.on('close', unsubscribe);
    // An oversized frame, a broken frame or a reset connection ends this socket only (ws closes it
    // with the matching status code, e.g. 1009 for a frame over maxPayload).
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw, isBinary) => {
      try {
        handleMessage(raw, isBinary);
      } catch (err) {
        send({ id: null, ok: false, error: { code: 'internal', message: (err as Error).message } });
      }
    });
    const handleMessage = (raw: RawData, isBinary: boolean): void => {
      const request = parseRequest(raw, isBinary);
      if ('error' in request) {
        send({ id: request.id, ok: false, error: request.error });
        return;
      }
      workbench.call(request.op, request.input).then(
        (response) => send({ id: request.id, ...response }),
        (err: unknown) => send({ id: request.id, ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }),
      );
    };
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
