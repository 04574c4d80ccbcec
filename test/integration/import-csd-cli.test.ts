/**
 * `hrlf import DIR --format csd` through the built CLI: a folder of CMU-SDK computational sequences
 * (test/fixtures/import/csd/mosi, written by gen_csd_fixtures.py) is word-aligned, stored with its
 * report, recognised on re-import, refused with its reason when a modality is missing, and trains.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail, DatasetImportResult } from '../../src-shared/models';
import { datasetsSnapshot, hrlf, requireBuild, tempHome } from './helpers';

const FOLDER = join(__dirname, '..', 'fixtures', 'import', 'csd', 'mosi');
const home = tempHome('hrlf-import-csd-');

const snapshot = (): ReturnType<typeof datasetsSnapshot> => datasetsSnapshot(home);

beforeAll(() => requireBuild());

describe('hrlf import of a .csd folder', () => {
  it('imports, reports the alignment, recognises a re-import, refuses a folder without audio, and trains', async () => {
    const r = await hrlf(['import', FOLDER, '--format', 'csd'], home);
    expect(r.stderr).toMatch(/imported .*csd\/mosi as mosi in [\d.]+ s: mosi \(regression\), T 50, dims l\/a\/v 6\/5\/4/);
    expect(r.stderr).toMatch(/warning: 1 segment has more than 50 words/);
    expect(r.stderr).toMatch(/warning: 1 segment intersects no word of 'glove_vectors': no features, left out/);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toBe('mosi');

    const show = await hrlf(['datasets', 'show', id, '--json'], home);
    expect(show.code).toBe(0);
    const d = JSON.parse(show.stdout) as DatasetDetail;
    expect(d).toMatchObject({ id, kind: 'mosi', format: 'csd', T: 50, dims: [6, 5, 4], splits: { train: 4, valid: 2, test: 2 }, sourcePath: FOLDER });
    expect(d.report!.csd!.alignment).toMatchObject({ labelledSegments: 10, imported: 8, truncated: 1, segmentsWithoutWords: 1, segmentsInNoFold: 1 });
    expect(d.report!.csd!.folds.source).toBe('bundled');
    const text = await hrlf(['datasets', 'show', id], home);
    expect(text.stdout).toMatch(/audio\s+COVAREP\s+CMU_MOSI_COVAREP\.csd\s+5\s+5\s+<f4/);
    expect(text.stdout).toMatch(/10 labelled segments in 5 videos → 8 imported \(7 padded in front, 1 truncated to the last 50 words\)/);

    // Auto-detected as a folder; same bytes → the same dataset.
    const before = snapshot();
    const again = await hrlf(['import', FOLDER, '--json'], home);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout) as DatasetImportResult).toMatchObject({ id, alreadyImported: true });
    expect(snapshot()).toEqual(before);

    const noAudio = mkdtempSync(join(tmpdir(), 'hrlf-csd-noaudio-'));
    cpSync(FOLDER, noAudio, { recursive: true, filter: (src) => !src.endsWith('COVAREP.csd') });
    const bad = await hrlf(['import', noAudio], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`hrlf: import failed: ${noAudio}: has no audio sequence`);
    expect(snapshot()).toEqual(before);
    rmSync(noAudio, { recursive: true, force: true });

    const train = await hrlf(['train', '--dataset', id, '--method', 'lf-linear', '--epochs', '1', '--json'], home);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const doc = JSON.parse(train.stdout) as { dataset: string; status: string; datasetSha256: string; inter: Record<string, Record<string, number | null>> };
    expect(doc).toMatchObject({ dataset: id, status: 'finished' });
    expect(doc.datasetSha256).toBe(d.sha256);
    expect(doc.inter['l,a,v']).toHaveProperty('mae');
  });
});
