/**
 * Single runs in the analysis screens: runs.results / runs.export take any selection of runs and
 * aggregate it as an experiment would (issue 10, item 2). The runs are written to the store
 * directly (no training): what is tested is the selection's grid, variants and notes, the
 * contract and the CLI over them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTER_CONDITIONS, INTRA_RATIOS } from '../../src-shared/domain';
import type { ExperimentResults, ExportDocument } from '../../src-shared/results/types';
import { Workbench } from '../../src-main/services/api';
import { hrlf, requireBuild, tempHome } from './helpers';

let wb: Workbench;
let home: string;
const ids: Record<string, number> = {};

/** A finished lf-linear run on synth-mosi whose F1 (Non0) is `f1` under every condition. */
function storedRun(seed: number, lr: number, f1: number, experimentId: number | null = null): number {
  const run = wb.store.runs.create({
    experimentId,
    datasetId: 'synth-mosi',
    method: 'lf-linear',
    seed,
    requestedBackend: null,
    config: { lr, batchSize: 128, epochs: 1 },
    configHash: `hash-lr-${lr}`,
    codeVersion: 'test',
    datasetSha256: 'sha',
    host: 'host',
    epochsPlanned: 1,
  });
  const metrics = { mae: 1, corr: 0.5, acc7: 0.3, acc5: 0.3, acc2_has0: 0.7, f1_has0: 0.7, acc2_non0: f1, f1_non0: f1 };
  for (const c of [...INTER_CONDITIONS, 'avg']) wb.store.runs.addEvaluation(run.id, { protocol: 'inter', condition: c, metrics });
  for (const p of INTRA_RATIOS) wb.store.runs.addEvaluation(run.id, { protocol: 'intra', condition: p.toFixed(1), metrics });
  wb.store.runs.finish(run.id, 'finished', { outcome: 'completed' });
  return run.id;
}

beforeAll(() => {
  requireBuild();
  home = tempHome('hrlf-selection-');
  wb = new Workbench({ home, mode: 'cli', workQueue: false });
  ids.a = storedRun(1111, 0.001, 0.8);
  ids.b = storedRun(1112, 0.001, 0.7);
  ids.c = storedRun(1111, 0.002, 0.6);
  ids.again = storedRun(1112, 0.001, 0.75);
});
afterAll(() => wb.close());

async function ok<T>(op: string, input: unknown): Promise<T> {
  const r = await wb.call(op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.output as T;
}

describe('a selection of runs, as one experiment', () => {
  it('aggregates the same config over its seeds and names other configs by the knob that differs', async () => {
    const r = await ok<ExperimentResults>('runs.results', { runs: [ids.a, ids.b, ids.c] });
    expect(r.selection).toEqual([ids.a, ids.b, ids.c]);
    expect(r.experiment).toMatchObject({ id: 0, name: `Selected runs #${ids.a}, #${ids.b}, #${ids.c}`, counts: { total: 3, finished: 3 } });
    expect(r.groups.map((g) => [g.variant, g.seeds])).toEqual([
      ['lr=0.001', [1111, 1112]],
      ['lr=0.002', [1111]],
    ]);
    const avg = r.cells.find((c) => c.variant === 'lr=0.001' && c.condition === 'avg' && c.metric === 'f1_non0')!;
    expect(avg.n).toBe(2);
    expect(avg.mean).toBeCloseTo(0.75, 12);
    expect(r.tables[0]!.blocks[0]!.rows.map((row) => row.label)).toEqual(['Late fusion (linear) [lr=0.001]', 'Late fusion (linear) [lr=0.002]']);
    expect(r.curves[0]!.series).toHaveLength(2);
    // Single runs: evaluated under the full protocol.
    expect(r.tables[0]!.columns).toEqual(['l', 'a', 'v', 'l,a', 'l,v', 'a,v', 'avg', 'l,a,v']);
  });

  it('says when two selected runs repeat a seed, and uses the later', async () => {
    const r = await ok<ExperimentResults>('runs.results', { runs: [ids.a, ids.b, ids.again] });
    expect(r.notes).toContain(`runs #${ids.b}, #${ids.again} repeat lf-linear on synth-mosi with seed 1112: only the latest, #${ids.again}, is aggregated`);
    const avg = r.cells.find((c) => c.condition === 'avg' && c.metric === 'f1_non0')!;
    expect(avg.values).toEqual([0.8, 0.75]);
  });

  it('exports a selection like an experiment, and refuses unknown runs by field', async () => {
    const doc = await ok<ExportDocument>('runs.export', { runs: [ids.a, ids.b], format: 'csv-wide' });
    expect(doc.filename).toBe(`runs-${ids.a}-${ids.b}-wide.csv`);
    expect(doc.content).toMatch(/Late fusion \(linear\),,ours,mean ± sample std over n seeds,2,/);
    const latex = await ok<ExportDocument>('runs.export', { runs: [ids.a], format: 'latex' });
    expect(latex.content).toContain(`a selection of runs (Selected runs #${ids.a})`);
    const missing = await wb.call('runs.results', { runs: [ids.a, 9999] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', field: 'runs', message: 'no run with id 9999' } });
  });

  it('the CLI compares runs (hrlf runs compare) and exports them (hrlf export --runs)', async () => {
    const shown = await hrlf(['runs', 'compare', `${ids.a},${ids.b}`], home);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Selected runs #${ids.a}, #${ids.b} — scenario full protocol; runs 2/2 finished$`, 'm'));
    expect(shown.stdout).toMatch(/Late fusion \(linear\)\s+ours\s+2\s+75\.00±7\.07\^\s+75\.00±7\.07\^/);
    expect(shown.stdout).toMatch(/warning: Late fusion \(linear\): 2 seeds give no useful interval/);
    const out = join(home, 'sel.csv');
    const exported = await hrlf(['export', '--runs', `${ids.a}-${ids.b}`, '--format', 'csv', '--out', out], home);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^experiment,run,dataset/);
    expect(lines.slice(1).every((l) => l.startsWith(','))).toBe(true);
    const bad = await hrlf(['runs', 'compare', '3,x'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hrlf: <ids>: 'x' is not a run id$/m);
  });
});
