/**
 * The coordinator's dataset endpoint: workers without a copy of a job's dataset fetch it here by
 * SHA-256, with the dataset token (its own secret, not the Redis password). Only files of datasets
 * in this store are served, looked up by hash; nothing else on disk can be named.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Store } from '../../store/store';

export interface DatasetServer {
  /** What workers are told to fetch from: http://host:port */
  url: string;
  close(): Promise<void>;
}

export interface DatasetServerOptions {
  /** Interface to listen on: 127.0.0.1 (workers on this machine) or 0.0.0.0 / a LAN address. */
  host: string;
  port: number;
  token: string;
  /** Advertised URL when the listen address is not what workers should dial (NAT, 0.0.0.0). */
  publicUrl?: string;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startDatasetServer(store: Store, options: DatasetServerOptions): Promise<DatasetServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/datasets\/([a-f0-9]{64})$/.exec(path);
    if (req.method !== 'GET') return void res.writeHead(405, { 'content-type': 'text/plain' }).end('only GET');
    if (!m) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('expected /datasets/<sha256>');
    if (!tokenMatches(req.headers.authorization, options.token)) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('a valid dataset token is required');
    const row = store.datasets.list().find((r) => r.sha256 === m[1] && existsSync(r.path));
    if (!row) return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`no dataset with SHA-256 ${m[1]} here`);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(statSync(row.path).size),
      'x-dataset-id': row.id,
      'x-dataset-sha256': row.sha256,
    });
    createReadStream(row.path).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? hostname() : options.host;
  return {
    url: options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `HOST:PORT`, `:PORT` or `PORT` for --datasets-listen; the host defaults to 127.0.0.1. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`--datasets-listen: expected HOST:PORT (e.g. 0.0.0.0:8787), got '${value}'`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}
