import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hrlf, requireBuild, tempHome } from './helpers';

const home = tempHome();

beforeAll(() => requireBuild());

describe('hrlf CLI', () => {
  it('lists the built-in datasets as JSON', async () => {
    const r = await hrlf(['datasets', '--json'], home);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; splits: { train: number } }[];
    expect(list.map((d) => d.id)).toEqual(['synth-mosi', 'synth-mosei', 'synth-iemocap']);
    expect(list[0]!.splits.train).toBe(1284);
  });

  it('trains lf-linear for one epoch in a child process and stores the results', async () => {
    const r = await hrlf(['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--seed', '7', '--epochs', '1', '--json'], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      run: number;
      backend: string;
      epochs: number;
      status: string;
      inter: Record<string, Record<string, number>>;
      intra: Record<string, Record<string, number>>;
    };
    expect(doc.status).toBe('finished');
    expect(doc.backend).toBe('wasm');
    expect(doc.epochs).toBe(1);
    expect(Object.keys(doc.inter)).toEqual(['l', 'a', 'v', 'l,a', 'l,v', 'a,v', 'l,a,v', 'avg']);
    expect(Object.keys(doc.intra)).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
    for (const m of Object.values(doc.inter)) {
      for (const k of ['mae', 'corr', 'acc7', 'acc5', 'acc2_has0', 'f1_has0', 'acc2_non0', 'f1_non0']) expect(typeof m[k]).toBe('number');
    }
    // All frames dropped at p = 1 leaves only the bias: a constant prediction has no correlation
    // (NaN, written as null in JSON).
    expect(doc.intra['1.0']!.corr).toBeNull();

    const db = new Database(join(home, 'workbench.sqlite'), { readonly: true });
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(doc.run) as Record<string, unknown>;
    expect(run.status).toBe('finished');
    expect(run.backend).toBe('wasm');
    expect(JSON.parse(String(run.config))).toMatchObject({ epochs: 1, lr: 0.001, batchSize: 128 });
    expect(String(run.dataset_sha256)).toMatch(/^[0-9a-f]{64}$/);
    expect(String(run.code_version).length).toBeGreaterThan(3);
    expect((db.prepare('SELECT COUNT(*) AS n FROM epochs WHERE run_id = ?').get(doc.run) as { n: number }).n).toBe(1);
    expect((db.prepare('SELECT COUNT(*) AS n FROM evaluations WHERE run_id = ?').get(doc.run) as { n: number }).n).toBe(8 + 11);
    expect((db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE run_id = ?').get(doc.run) as { n: number }).n).toBe(7 + 11);
    expect((db.prepare('SELECT COUNT(*) AS n FROM representations WHERE run_id = ?').get(doc.run) as { n: number }).n).toBe(3);
    db.close();

    const runs = await hrlf(['runs', '--json'], home);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: doc.run, status: 'finished', method: 'lf-linear' });

    const csv = await hrlf(['export', '--run', String(doc.run), '--predictions'], home);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('run,condition,p,index,sample_id,label,prediction');
    expect(lines.length).toBe(1 + (7 + 11) * 686);
    // The sample id next to the index; labels at their stored float32 precision (MOSI's are
    // multiples of 0.2 or thirds: never the float64 widening such as -2.799999952316284).
    expect(lines[1]).toMatch(new RegExp(`^${doc.run},l,,0,[\\w-]+_\\d+,-?\\d+(\\.\\d{1,7})?,[-\\d.e]+$`));
    expect(lines.slice(1).every((l) => !/\d{9,}/.test(l.split(',').at(-2)!))).toBe(true);
    expect(new Set(lines.slice(1, 687).map((l) => l.split(',')[4])).size).toBe(686);
    expect(lines.some((l) => l.startsWith(`${doc.run},"l,a,v",,0,`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${doc.run},intra,0.5,685,`))).toBe(true);
    // The exported predictions reproduce the stored metric.
    const rows = lines.slice(1).map((l) => l.split(',')).filter((r) => r[1] === 'l');
    expect(rows.length).toBe(686);
    const mae = rows.reduce((s, r) => s + Math.abs(Number(r[5]) - Number(r[6])), 0) / rows.length;
    expect(mae).toBeCloseTo(doc.inter.l!.mae!, 5);
    const missing = await hrlf(['export', '--run', '999', '--predictions'], home);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no run with id 999/);
  });

  it('gives the same metrics for the same seed', async () => {
    const args = ['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--seed', '7', '--epochs', '1', '--json'];
    const [a, b] = [await hrlf(args, home), await hrlf(args, home)];
    expect(JSON.parse(a.stdout).inter).toEqual(JSON.parse(b.stdout).inter);
  });

  it('flags a run whose stored test predictions are one-sided, in `hrlf runs` and its JSON', async () => {
    const db = new Database(join(home, 'workbench.sqlite'));
    const id = (db.prepare("SELECT MAX(id) AS id FROM runs WHERE status = 'finished'").get() as { id: number }).id;
    // Every prediction below 0 (varying, so one-sided rather than constant): what a model that
    // learned only the label mean's sign gives.
    const sets = db.prepare('SELECT protocol, condition, n FROM predictions WHERE run_id = ?').all(id) as { protocol: string; condition: string; n: number }[];
    for (const s of sets) {
      const values = Float32Array.from({ length: s.n }, (_, i) => -0.5 - i * 1e-3);
      db.prepare('UPDATE predictions SET values_f32 = ? WHERE run_id = ? AND protocol = ? AND condition = ?').run(Buffer.from(values.buffer), id, s.protocol, s.condition);
    }
    db.prepare('UPDATE runs SET prediction_check = NULL WHERE id = ?').run(id);
    db.close();
    const text = await hrlf(['runs'], home);
    expect(text.code).toBe(0);
    const line = text.stdout.split('\n').find((l) => l.startsWith(`${id} `))!;
    expect(line).toContain('degenerate: one-sided predictions (every prediction ≤ 0) under all 7 inter-modality conditions and every intra ratio p < 1');
    const json = JSON.parse((await hrlf(['runs', '--json'], home)).stdout) as { id: number; degenerate: string | null }[];
    expect(json.find((r) => r.id === id)!.degenerate).toMatch(/^one-sided predictions/);
    expect(json.filter((r) => r.id !== id).every((r) => r.degenerate === null || typeof r.degenerate === 'string')).toBe(true);
  });

  it.each([
    [['train', '--dataset', 'nope', '--method', 'lf-linear'], /unknown dataset 'nope'/],
    [['train', '--dataset', 'synth-mosi', '--method', 'nope'], /unknown method 'nope'/],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--bogus'], /unknown option '--bogus'/],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--seed', 'x'], /^hrlf: --seed: expected an integer from 0 to 2147483647, got 'x'$/m],
    // One wording for every flag error, naming the flag, whatever the bad value (never an operation name).
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--epochs', '0'], /^hrlf: --epochs: expected an integer from 1 to 1000, got '0'$/m],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--epochs', '-1'], /^hrlf: --epochs: expected an integer from 1 to 1000, got '-1'$/m],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--epochs', '2.5'], /^hrlf: --epochs: expected an integer from 1 to 1000, got '2.5'$/m],
    [['experiment', 'create', '--methods', 'lf-linear', '--datasets', 'synth-mosi', '--epochs', '0'], /^hrlf: --epochs: expected an integer from 1 to 1000, got '0'$/m],
    [['reproduce', '--table', '3', '--seeds', '0', '--plan'], /^hrlf: --seeds: expected an integer from 1 to 20, got '0'$/m],
    [['queue', '--concurrency', '0'], /^hrlf: --concurrency: expected an integer from 1 to 16, got '0'$/m],
    [['experiment', 'create', '--methods', 'lf-linear', '--datasets', 'nope'], /^hrlf: --datasets: unknown dataset 'nope'/m],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--set', 'lr=-1'], /config lr/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const r = await hrlf(args, home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/runs\.start|experiments\.create|reproduce\.plan/);
  });

  it('names a data home that cannot be used', async () => {
    const base = tempHome();
    writeFileSync(join(base, 'a-file'), '');
    const r = await hrlf(['runs'], join(base, 'a-file', 'home'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data home .* is not writable/);
  });
});
