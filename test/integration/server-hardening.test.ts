/**
 * Issue 9, items 1–3: no request and no socket input may end browser mode. The server runs as a
 * real `hrlf serve` child process, so a crash shows as its exit, not as a test-runner failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRng } from '../../src-main/engine/random';
import { BIN, requireBuild, tempHome } from './helpers';

interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  exited: () => string | null;
}

function serve(): Promise<Served> {
  const child = spawn(process.execPath, [BIN, '--home', tempHome('hrlf-serve-'), 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exit: string | null = null;
  child.on('exit', (code, signal) => (exit = `exited (code ${code}, signal ${signal})\n${output}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += String(chunk);
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), token: m[2]!, exited: () => exit });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`server exited:\n${output}`)));
  });
}

/** A raw HTTP/1.1 GET, path sent byte for byte (no client-side normalisation). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.on('data', (c) => (data += String(c)));
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    s.on('error', reject);
  });
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

function open(s: Served): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one frame and resolves with the first reply, or with the close code if the server closes the socket. */
function exchange(ws: WebSocket, frame: string | Buffer, binary = false): Promise<{ reply?: Record<string, unknown>; closed?: number }> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData): void => {
      const msg = JSON.parse(String(raw)) as Record<string, unknown>;
      if ('event' in msg) return;
      done({ reply: msg });
    };
    const onClose = (code: number): void => done({ closed: code });
    const done = (r: { reply?: Record<string, unknown>; closed?: number }): void => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(r);
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', () => undefined);
    ws.send(frame, { binary });
  });
}

async function stillServes(s: Served): Promise<void> {
  expect(s.exited()).toBeNull();
  expect(await get(s.port, '/')).toBe(200);
  const ws = await open(s);
  expect((await exchange(ws, JSON.stringify({ id: 7, op: 'app.info', input: {} }))).reply).toMatchObject({ id: 7, ok: true });
  ws.close();
}

let served: Served;
beforeAll(async () => {
  requireBuild();
  served = await serve();
});
afterAll(() => {
  served?.child.kill('SIGTERM');
});

describe('browser mode survives malformed requests (issue 9)', () => {
  it('item 1: answers a malformed URL path with 400 and keeps serving', async () => {
    expect(await rawGet(served.port, '/%ZZ')).toBe(400);
    expect(await rawGet(served.port, '/assets/%E0%A4%A')).toBe(400);
    expect(await rawGet(served.port, '/%00')).toBe(400);
    await stillServes(served);
  });

  it('item 2: an oversized frame closes that socket only (1009); other sockets go on', async () => {
    const other = await open(served);
    const ws = await open(served);
    const r = await exchange(ws, JSON.stringify({ id: 1, op: 'app.info', input: { pad: 'x'.repeat((1 << 20) + 10) } }));
    expect(r.closed).toBe(1009);
    expect((await exchange(other, JSON.stringify({ id: 2, op: 'app.info' }))).reply).toMatchObject({ id: 2, ok: true });
    other.close();
    await stillServes(served);
  });

  it('item 2: null, non-object and non-string op messages get typed errors', async () => {
    const ws = await open(served);
    for (const frame of ['null', '1', '"x"', '[]', 'true', '{"op":{"toString":1}}', '{"op":{"valueOf":1,"toString":1}}']) {
      const r = await exchange(ws, frame);
      expect(r.reply, frame).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    // An id that is not a number is not echoed; the request itself is served.
    expect((await exchange(ws, '{"id":{"toString":1},"op":"app.info"}')).reply).toMatchObject({ id: null, ok: true });
    expect((await exchange(ws, Buffer.from([1, 2, 3]), true)).reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    ws.close();
    await stillServes(served);
  });

  it('item 2: prototype names are unknown operations, not internal errors', async () => {
    const ws = await open(served);
    for (const op of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
      const r = await exchange(ws, JSON.stringify({ id: 3, op, input: {} }));
      expect(r.reply, op).toMatchObject({ id: 3, ok: false, error: { code: 'unknown_operation' } });
    }
    ws.close();
  });

  it('item 3: a fuzz loop of 3000 random frames leaves the server answering', async () => {
    const random = createRng('ws-fuzz');
    const rng = (): number => random.next();
    const int = (n: number): number => Math.floor(rng() * n);
    const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const ops = ['app.info', 'datasets.list', 'runs.get', 'runs.list', 'queue.state', 'methods.list', 'experiments.get', 'scenarios.list', 'constructor', '__proto__', 'toString', '', 'x'.repeat(300)];
    const atoms: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, '', 'a', '../../etc/passwd', '\u0000', '%ZZ', [], {}, { toString: 1 }, { __proto__: { x: 1 } }];
    const value = (depth: number): unknown => {
      if (depth > 3 || rng() < 0.5) return pick(atoms);
      if (rng() < 0.5) return Array.from({ length: int(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['id', 'op', 'input', 'path', 'seed', 'constructor', '__proto__', 'x']), value(depth + 1)]));
    };
    const frame = (): { data: string | Buffer; binary: boolean } => {
      const kind = int(10);
      if (kind === 0) return { data: Buffer.from(Array.from({ length: int(64) }, () => int(256))), binary: true };
      if (kind === 1) return { data: Buffer.from(Array.from({ length: int(64) }, () => int(256))).toString('latin1'), binary: false };
      if (kind === 2) return { data: JSON.stringify(value(0)) ?? 'undefined', binary: false };
      const msg: Record<string, unknown> = { id: rng() < 0.8 ? int(1e6) : value(2), op: rng() < 0.85 ? pick(ops) : value(2), input: value(1) };
      let text = JSON.stringify(msg);
      if (kind === 3) text = text.slice(0, int(text.length)); // truncated JSON
      return { data: text, binary: false };
    };

    const FRAMES = 3000;
    let ws = await open(served);
    let replies = 0;
    let closes = 0;
    for (let i = 0; i < FRAMES; i++) {
      if (ws.readyState !== WebSocket.OPEN) {
        closes++;
        ws = await open(served);
      }
      const f = i % 500 === 499 ? { data: 'y'.repeat((1 << 20) + 1), binary: false } : frame();
      const r = await exchange(ws, f.data, f.binary);
      if (r.reply) {
        replies++;
        expect(r.reply).toHaveProperty('ok');
        if (r.reply.ok === false) expect((r.reply.error as { code: string }).code).toMatch(/^(invalid_input|unknown_operation|not_found|conflict)$/);
      }
    }
    ws.close();
    expect(replies + closes).toBeGreaterThanOrEqual(FRAMES - 1);
    expect(closes).toBeGreaterThanOrEqual(5); // the oversized frames
    await stillServes(served);
  });
});
