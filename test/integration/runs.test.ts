import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src-main/services/api';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { requireBuild, tempHome } from './helpers';

let wb: Workbench;

async function startRun(input: Record<string, unknown>): Promise<number> {
  const r = await wb.call('runs.start', input);
  if (!r.ok) throw new Error(r.error.message);
  return (r.output as { id: number }).id;
}

function waitForStatus(runId: number, statuses: string[]): Promise<string> {
  return new Promise((resolve) => {
    const current = wb.store.runs.get(runId)?.status;
    if (current && statuses.includes(current)) return resolve(current);
    const off = wb.bus.subscribe((event, payload) => {
      const p = payload as { runId?: number; status?: string };
      if (event === 'run.status' && p.runId === runId && statuses.includes(p.status!)) {
        off();
        resolve(p.status!);
      }
    });
  });
}

function waitForProgress(runId: number): Promise<void> {
  return new Promise((resolve) => {
    const off = wb.bus.subscribe((event, payload) => {
      if (event === 'run.progress' && (payload as { runId: number }).runId === runId) {
        off();
        resolve();
      }
    });
  });
}

beforeAll(() => {
  requireBuild();
  wb = new Workbench({ home: tempHome(), mode: 'cli' });
});
afterAll(() => wb.close());

describe('isolated runs', () => {
  it('marks a run whose process is killed as failed, with the reason, and keeps working', async () => {
    const id = await startRun({ dataset: 'synth-mosi', method: 'lf-linear', seed: 3, epochs: 200 });
    await waitForProgress(id);
    const pid = wb.runs.pidOf(id)!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    expect(await waitForStatus(id, ['failed', 'finished', 'cancelled'])).toBe('failed');
    expect(wb.store.runs.get(id)?.error).toMatch(/killed by SIGKILL/);

    const nextId = await startRun({ dataset: 'synth-mosi', method: 'lf-linear', seed: 4, epochs: 1 });
    expect(await waitForStatus(nextId, ['failed', 'finished', 'cancelled'])).toBe('finished');
  });

  it('cancels a running run', async () => {
    const id = await startRun({ dataset: 'synth-mosi', method: 'lf-linear', seed: 5, epochs: 200 });
    await waitForProgress(id);
    const cancelled = await wb.call('runs.cancel', { id });
    expect(cancelled.ok).toBe(true);
    expect(await waitForStatus(id, ['failed', 'finished', 'cancelled'])).toBe('cancelled');
    expect(wb.store.runs.get(id)?.epochsDone).toBeLessThan(200);
  });

  it('answers bad requests with typed errors and stores nothing', async () => {
    const before = wb.store.runs.list().length;
    expect(await wb.call('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', seed: 'abc' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'seed' } });
    expect(await wb.call('runs.start', { dataset: 'nope', method: 'lf-linear' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'dataset' } });
    expect(await wb.call('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', config: { lr: 5 } })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'config.lr' } });
    expect(await wb.call('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', preset: 'nope' })).toMatchObject({ ok: false, error: { field: 'preset' } });
    expect(await wb.call('runs.delete', { id: 1 })).toMatchObject({ ok: false, error: { code: 'unknown_operation' } });
    expect(await wb.call('runs.get', { id: 99999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(wb.store.runs.list().length).toBe(before);
  });
});

describe('browser-mode transport', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(wb);
  });
  afterAll(() => server.close());

  const connect = (query: string, headers: Record<string, string> = {}): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });

  const ask = (ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      ws.once('message', (raw) => resolve(JSON.parse(String(raw)) as Record<string, unknown>));
      ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
    });

  it('refuses a socket without the token or from another origin', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    await expect(connect('?token=wrong')).rejects.toThrow(/403/);
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('validates every payload and answers with typed errors', async () => {
    const ws = await connect(`?token=${server.token}`);
    expect(await ask(ws, { id: 1, op: 'datasets.list', input: {} })).toMatchObject({ id: 1, ok: true });
    expect(await ask(ws, { id: 2, op: 'runs.get', input: { id: 'x' } })).toMatchObject({ id: 2, ok: false, error: { code: 'invalid_input', field: 'id' } });
    expect(await ask(ws, { id: 3, op: 'process.exit', input: {} })).toMatchObject({ id: 3, ok: false, error: { code: 'unknown_operation' } });
    expect(await ask(ws, 'not json')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    ws.close();
  });
});
