/**
 * `hrlf import` and `hrlf datasets show` through the built CLI: a MulT fixture imports, its report
 * is served, a second import is recognised by hash, every broken file fails with its own reason
 * and leaves the store and the datasets folder as they were, and training runs on the import.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail, DatasetImportResult, DatasetSummary } from '../../src-shared/models';
import { datasetsSnapshot, hrlf, requireBuild, tempHome } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string): string => join(FIXTURES, name);
const home = tempHome('hrlf-import-cli-');

const snapshot = (): ReturnType<typeof datasetsSnapshot> => datasetsSnapshot(home);

/** Broken fixtures and the words their message must contain (expected.json, written by gen_fixtures.py). */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { files: Record<string, { error?: string }> };
const broken = Object.entries(expected.files)
  .filter(([, e]) => e.error !== undefined)
  .map(([name, e]) => [name, e.error!] as const);

beforeAll(() => requireBuild());

describe('hrlf import', () => {
  let id = '';

  it('imports a MulT pickle, prints the new id and serves the report', async () => {
    const r = await hrlf(['import', fixture('mult_mosi_p4_float64.pkl')], home);
    expect(r.code).toBe(0);
    id = r.stdout.trim();
    expect(id).toBe('mult_mosi_p4_float64');
    expect(r.stderr).toMatch(/imported .*mult_mosi_p4_float64\.pkl as mult_mosi_p4_float64 in [\d.]+ s: mosi \(regression\), T 5, dims l\/a\/v 8\/5\/20/);
    expect(snapshot().files).toEqual([`${id}.hrlfds`]);

    // --json after or before `show`.
    for (const args of [['datasets', 'show', id, '--json'], ['datasets', '--json', 'show', id]]) {
      const show = await hrlf(args, home);
      expect(show.code).toBe(0);
      const d = JSON.parse(show.stdout) as DatasetDetail;
      expect(d).toMatchObject({ id, kind: 'mosi', task: 'regression', builtin: false, format: 'mult', T: 5, dims: [8, 5, 20], splits: { train: 4, valid: 3, test: 3 } });
      expect(d.sourcePath).toBe(fixture('mult_mosi_p4_float64.pkl'));
      expect(d.sourceSize).toBe(readFileSync(fixture('mult_mosi_p4_float64.pkl')).length);
      const r = d.report!;
      expect(r.sha256).toBe(d.sourceSha256);
      expect(r.pickle.protocol).toBe(4);
      expect(r.splits.train.modalities.a).toMatchObject({ sourceDtype: '<f8', shape: [4, 5, 5], negInf: 2, nan: 0 });
      expect(r.splits.test.modalities.v).toMatchObject({ nan: 1, allZeroSamples: 1 });
      expect(r.splits.train.labels).toMatchObject({ task: 'regression', min: -3, max: 2, classCounts: [1, 0, 0, 2, 0, 1, 0] });
      expect(r.splits.train.expectedN).toBe(1284);
      expect(r.ids.duplicatesAcrossSplits).toBe(1);
      expect(d.paperDims.a).toMatchObject({ detected: 5, paper: 74, matchesPaper: false, note: expect.stringMatching(/feature selection/) });
      expect(d.paperDims.v).toMatchObject({ detected: 20, paper: 35, matchesPaper: false });
    }

    const text = await hrlf(['datasets', 'show', id], home);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/a \(audio\)\s+5\s+74\s+MOSI files from MulT\/MMSA keep 5 COVAREP features/);
    expect(text.stdout).toMatch(/train\s+a\s+train\.audio\s+<f8\s+\[4, 5, 5\]\s+0\s+0\s+2/);
    expect(text.stdout).toMatch(/Acc-7 classes/);
    expect(text.stdout).toMatch(/ids in more than one split: 1/);

    const list = await hrlf(['datasets', '--json'], home);
    const ids = (JSON.parse(list.stdout) as DatasetSummary[]).map((d) => d.id);
    expect(ids).toEqual(['synth-mosi', 'synth-mosei', 'synth-iemocap', id]);
    const table = await hrlf(['datasets'], home);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+mosi\\s+5\\s+8/5/20\\s+4/3/3\\s+yes`));
  });

  it('recognises a re-import by the SHA-256 of the file', async () => {
    const before = snapshot();
    const again = await hrlf(['import', fixture('mult_mosi_p4_float64.pkl'), '--json'], home);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout) as DatasetImportResult).toMatchObject({ id, alreadyImported: true });
    const plain = await hrlf(['import', fixture('mult_mosi_p4_float64.pkl'), '--name', 'other'], home);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toBe(id);
    expect(plain.stderr).toMatch(/already imported as mult_mosi_p4_float64/);
    expect(snapshot()).toEqual(before);
  });

  it.each(broken)('refuses %s with its reason (%s), exit 2, store and folder unchanged', async (name, words) => {
    const before = snapshot();
    const r = await hrlf(['import', fixture(name)], home);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`hrlf: import failed: ${fixture(name)}`);
    expect(r.stderr).toContain(words);
    expect(snapshot()).toEqual(before);
  });

  it.each([
    [['import', '/no/such/file.pkl'], /no such file/],
    [['import', fixture('mult_mosi_p2_float32.pkl'), '--kind', 'sims'], /argument 'sims' is invalid/],
    [['import', fixture('mult_mosi_p2_float32.pkl'), '--format', 'csd'], /computational sequence/],
    [['datasets', 'show', 'nope'], /unknown dataset 'nope'/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const before = snapshot();
    const r = await hrlf(args, home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(snapshot()).toEqual(before);
  });

  it('trains lf-linear on the imported dataset', async () => {
    const r = await hrlf(['train', '--dataset', id, '--method', 'lf-linear', '--epochs', '1', '--json'], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { dataset: string; status: string; epochs: number; datasetSha256: string; inter: Record<string, Record<string, number>> };
    expect(doc).toMatchObject({ dataset: id, status: 'finished', epochs: 1 });
    const detail = JSON.parse((await hrlf(['datasets', 'show', id, '--json'], home)).stdout) as DatasetDetail;
    expect(doc.datasetSha256).toBe(detail.sha256);
    expect(typeof doc.inter['l,a,v']!.mae).toBe('number');
  });
});
