/**
 * The dataset operations through the services, as the UI calls them: import in a real engine
 * process, details, one sample; and the atomicity guarantees when an import dies or is cancelled.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetImportEvent } from '../../src-shared/contract';
import type { DatasetDetail, DatasetImportResult, DatasetSample, DatasetSummary } from '../../src-shared/models';
import { readDatasetFile } from '../../src-main/engine/data/dataset-file';
import type { ChildMessage, ParentMessage } from '../../src-main/engine/protocol';
import { Workbench } from '../../src-main/services/api';
import { ImportCancelled } from '../../src-main/services/dataset-import';
import { forkLauncher, type EngineProcess, type Launcher } from '../../src-main/services/launcher';
import { requireBuild, tempHome } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string): string => join(FIXTURES, name);

let wb: Workbench;
let home: string;

async function ok<T>(op: string, input: unknown): Promise<T> {
  const r = await wb.call(op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.output as T;
}

function datasetFiles(h = home): string[] {
  const dir = join(h, 'datasets');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

beforeAll(() => {
  requireBuild();
  home = tempHome('hrlf-ds-api-');
  wb = new Workbench({ home, mode: 'cli' });
});
afterAll(() => wb.close());

describe('datasets.import / get / sample', () => {
  it('imports in an engine process, reporting progress, and serves the report and samples', async () => {
    const events: DatasetImportEvent[] = [];
    const off = wb.bus.subscribe((name, payload) => {
      if (name === 'dataset.import') events.push(payload as DatasetImportEvent);
    });
    const result = await ok<DatasetImportResult>('datasets.import', { path: fixture('mult_mosei_senti_noid_p4.pkl'), name: 'MOSEI small' });
    off();
    expect(result).toMatchObject({ id: 'mosei-small', name: 'MOSEI small', kind: 'mosei', task: 'regression', builtin: false, ready: true, alreadyImported: false });
    expect(result.seconds).toBeGreaterThan(0);
    expect(events.map((e) => e.phase)).toContain('read');
    expect(events.map((e) => e.phase)).toContain('write');
    expect(events.every((e) => e.path === fixture('mult_mosei_senti_noid_p4.pkl'))).toBe(true);
    expect(datasetFiles()).toEqual(['mosei-small.hrlfds']);

    const detail = await ok<DatasetDetail>('datasets.get', { id: 'mosei-small' });
    expect(detail.format).toBe('mult');
    expect(detail.sourcePath).toBe(fixture('mult_mosei_senti_noid_p4.pkl'));
    expect(detail.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.report?.splits.train.modalities.a.negInf).toBe(2);
    expect(detail.paperDims.a).toMatchObject({ detected: 6, paper: 74, matchesPaper: false });

    const stored = readDatasetFile(join(home, 'datasets', 'mosei-small.hrlfds'), '');
    const sample = await ok<DatasetSample>('datasets.sample', { id: 'mosei-small', split: 'test', index: 2 });
    expect(sample.n).toBe(3);
    expect(sample.sampleId).toBe(stored.test.ids[2]);
    expect(sample.label[0]).toBeCloseTo(stored.test.y[2]!, 4);
    const [T, dl] = [stored.T, stored.dims[0]];
    expect(sample.modalities.l.values).toHaveLength(T * dl);
    sample.modalities.l.values.forEach((x, k) => expect(x).toBeCloseTo(stored.test.l[2 * T * dl + k]!, 3));
  });

  it('answers with typed errors naming the field', async () => {
    const missing = await wb.call('datasets.import', { path: '/no/such/file.pkl' });
    expect(missing).toEqual({ ok: false, error: { code: 'invalid_input', message: '/no/such/file.pkl: no such file', field: 'path' } });
    const folder = await wb.call('datasets.import', { path: FIXTURES });
    expect(folder.ok ? null : folder.error).toMatchObject({ field: 'path', message: expect.stringMatching(/is a folder/) });
    const broken = await wb.call('datasets.import', { path: fixture('broken_missing_split.pkl') });
    expect(broken.ok ? null : broken.error).toMatchObject({ code: 'invalid_input', field: 'path', message: expect.stringMatching(/missing split 'valid'/) });
    const forcedKind = await wb.call('datasets.import', { path: fixture('mult_iemocap_p4.pkl'), kind: 'mosi' });
    expect(forcedKind.ok ? null : forcedKind.error).toMatchObject({ code: 'invalid_input', field: 'kind' });
    const unknown = await wb.call('datasets.get', { id: 'nope' });
    expect(unknown.ok ? null : unknown.error).toMatchObject({ code: 'not_found', field: 'id' });
    const pastEnd = await wb.call('datasets.sample', { id: 'mosei-small', split: 'train', index: 4 });
    expect(pastEnd.ok ? null : pastEnd.error).toMatchObject({ code: 'invalid_input', field: 'index' });
    expect(datasetFiles()).toEqual(['mosei-small.hrlfds']);
  });

  it('generates a built-in dataset on first view: its page has the label summary and samples before any run', async () => {
    const own = new Workbench({ home: tempHome('hrlf-ds-view-'), mode: 'cli' });
    try {
      const call = async <T>(op: string, input: unknown): Promise<T> => {
        const r = await own.call(op, input);
        if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
        return r.output as T;
      };
      expect((await call<DatasetSummary[]>('datasets.list', {})).find((d) => d.id === 'synth-mosi')?.ready).toBe(false);
      const detail = await call<DatasetDetail>('datasets.get', { id: 'synth-mosi' });
      expect(detail.ready).toBe(true);
      const labels = detail.labels!;
      // The real MOSI labels and split (resources/datasets/mosi_labels.csv): 379 negative, 30 zero, 277 positive in test.
      expect(labels.test).toMatchObject({ task: 'regression', negative: 379, zero: 30, positive: 277 });
      expect(labels.train.task === 'regression' && labels.train.classCounts.reduce((a, b) => a + b, 0)).toBe(1284);
      const sample = await call<DatasetSample>('datasets.sample', { id: 'synth-mosi', split: 'test', index: 0 });
      expect(sample.n).toBe(686);
      expect(datasetFiles(own.options.home)).toEqual(['synth-mosi.hrlfds']);
    } finally {
      own.close();
    }
  });

  it('recognises the same bytes under another path, and restores a dataset whose file went missing', async () => {
    const copy = join(tempHome('hrlf-copy-'), 'renamed.pkl');
    copyFileSync(fixture('mult_mosei_senti_noid_p4.pkl'), copy);
    const again = await ok<DatasetImportResult>('datasets.import', { path: copy });
    expect(again).toMatchObject({ id: 'mosei-small', alreadyImported: true });
    expect(datasetFiles()).toEqual(['mosei-small.hrlfds']);

    rmSync(join(home, 'datasets', 'mosei-small.hrlfds'));
    const restored = await ok<DatasetImportResult>('datasets.import', { path: fixture('mult_mosei_senti_noid_p4.pkl') });
    expect(restored).toMatchObject({ id: 'mosei-small', alreadyImported: false, ready: true });
    expect(datasetFiles()).toEqual(['mosei-small.hrlfds']);
    expect(wb.store.datasets.list().filter((r) => !r.builtin)).toHaveLength(1);
  });
});

describe('atomicity of an import', () => {
  /** A launcher whose engine process writes its temp files, then dies as if killed. */
  function dyingLauncher(): Launcher {
    return () => {
      const exits: ((code: number | null, signal: string | null) => void)[] = [];
      const proc: EngineProcess = {
        pid: 1,
        send: (msg: ParentMessage) => {
          if (msg.type !== 'import') return;
          writeFileSync(msg.request.path, 'partial');
          writeFileSync(`${msg.request.path}.tmp-99999`, 'partial');
          setTimeout(() => exits.forEach((l) => l(null, 'SIGKILL')), 10);
        },
        onMessage: (_l: (m: ChildMessage) => void) => undefined,
        onExit: (l) => void exits.push(l),
        kill: () => undefined,
      };
      return proc;
    };
  }

  it('leaves no row and no file when the engine process dies', async () => {
    const h = tempHome('hrlf-dying-');
    const w = new Workbench({ home: h, mode: 'cli', launcher: dyingLauncher() });
    try {
      const r = await w.call('datasets.import', { path: fixture('mult_mosi_p2_float32.pkl') });
      expect(r.ok ? null : r.error).toMatchObject({ code: 'internal', message: expect.stringMatching(/exited \(code null, signal SIGKILL\) before finishing/) });
      expect(datasetFiles(h)).toEqual([]);
      expect(w.store.datasets.list().filter((d) => !d.builtin)).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('kills the engine process and cleans up when cancelled mid-import', async () => {
    const h = tempHome('hrlf-cancel-');
    let child: EngineProcess | null = null;
    const w = new Workbench({ home: h, mode: 'cli', launcher: () => (child = forkLauncher()) });
    try {
      const abort = new AbortController();
      // Cancel once the engine process is validating the parsed file: mid-import, not before it.
      const job = w.catalog.importFile(
        { path: fixture('mult_mosi_p2_float32.pkl') },
        { signal: abort.signal, onProgress: (e) => e.phase === 'check' && abort.abort() },
      );
      await expect(job).rejects.toBeInstanceOf(ImportCancelled);
      const pid = (child as EngineProcess | null)?.pid;
      expect(pid).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(() => process.kill(pid!, 0)).toThrow();
      expect(datasetFiles(h)).toEqual([]);
      expect(w.store.datasets.list().filter((d) => !d.builtin)).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('sweeps the temp files of a killed import at startup', () => {
    const h = tempHome('hrlf-sweep-');
    mkdirSync(join(h, 'datasets'));
    writeFileSync(join(h, 'datasets', 'mosi_data.hrlfds.tmp-2147483646-deadbeef'), 'partial');
    writeFileSync(join(h, 'datasets', 'mosi_data.hrlfds.tmp-2147483646-deadbeef.tmp-2147483645'), 'partial');
    const w = new Workbench({ home: h, mode: 'cli' });
    w.close();
    expect(datasetFiles(h)).toEqual([]);
  });
});
