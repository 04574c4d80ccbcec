import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReproducePlan } from '../../src-shared/results/types';
import { Workbench } from '../../src-main/services/api';
import { ROOT, requireBuild, tempHome } from './helpers';

/** Bad input through the contract: a typed error naming the field, and nothing queued or stored. */
describe('experiments, scenarios and reproduction through the contract', () => {
  let wb: Workbench;
  const counts = (): { experiments: number; runs: number } => ({
    experiments: wb.store.experiments.list().length,
    runs: wb.store.runs.list().length,
  });

  beforeAll(() => {
    requireBuild();
    // workQueue off: nothing created here starts running.
    wb = new Workbench({ home: tempHome('hrlf-exp-api-'), mode: 'cli', workQueue: false });
  });
  afterAll(() => wb.close());

  it.each([
    [{ methods: ['lf-linear', 'no-such-method'], datasets: ['synth-mosi'] }, 'invalid_input', 'methods', /unknown method 'no-such-method'/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi', 'no-such-dataset'] }, 'not_found', 'datasets', /unknown dataset 'no-such-dataset'/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: [1111, 1111.5] }, 'invalid_input', 'seeds.1', /seeds\.1/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: ['1111'] }, 'invalid_input', 'seeds.0', /seeds\.0/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], config: { lr: 'fast' } }, 'invalid_input', 'config.lr', /lr/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], config: { nosuchknob: 1 } }, 'invalid_input', 'config.nosuchknob', /no knob 'nosuchknob'; its knobs: lr, batchSize, epochs/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], variants: [{ name: 'typo', config: { lamdaHal: 1 } }] }, 'invalid_input', 'variants.0.config.lamdaHal', /variant typo.*no knob 'lamdaHal'/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], variants: [{ name: 'ok', config: {} }, { name: 'bad', config: { lr: -1 } }] }, 'invalid_input', 'variants.1.config.lr', /variant bad/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], reference: 'hrlf' }, 'invalid_input', 'reference', /not one of/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], scenario: 'no-such-scenario' }, 'not_found', 'scenario', /unknown scenario/],
    [{ methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: Array.from({ length: 100 }, (_, i) => i), variants: Array.from({ length: 25 }, (_, i) => ({ name: `v${i}`, config: {} })) }, 'invalid_input', 'seeds', /at most/],
  ])('experiments.create %j: %s on %s, nothing queued', async (input, code, field, message) => {
    const before = counts();
    const r = await wb.call('experiments.create', input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code, field });
    expect(r.error.message).toMatch(message);
    expect(counts()).toEqual(before);
  });

  it('queues methods × datasets × seeds × variants, method-major, with the scenario mask seed on every run', async () => {
    const saved = await wb.call('scenarios.save', {
      name: 'audio missing',
      description: 'only audio missing, p up to 0.5',
      spec: { training: { msm: { subsets: ['l,v', 'l,a,v'], maxDropRatio: 0.5 } }, evaluation: { inter: ['l,v', 'l,a,v'], intra: [0, 0.1, 0.2, 0.3, 0.4, 0.5], maskSeed: 7 } },
    });
    expect(saved.ok).toBe(true);
    const r = await wb.call('experiments.create', {
      methods: ['lf-linear'],
      datasets: ['synth-mosi', 'synth-iemocap'],
      seeds: [1, 2],
      epochs: 1,
      variants: [
        { name: 'slow', config: { lr: 0.001 } },
        { name: 'fast', config: { lr: 0.003 } },
      ],
      scenario: 'audio missing',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.output as { id: number; counts: { queued: number }; grid: { warnings: string[]; cells: unknown[]; scenario: { name: string } }; runs: { dataset: string; variant: string; seed: number }[] };
    expect(d.counts.queued).toBe(8);
    expect(d.grid.scenario.name).toBe('audio missing');
    expect(d.grid.cells).toHaveLength(4);
    expect(d.runs.map((x) => `${x.dataset}/${x.variant}/${x.seed}`)).toEqual([
      'synth-mosi/slow/1',
      'synth-mosi/slow/2',
      'synth-mosi/fast/1',
      'synth-mosi/fast/2',
      'synth-iemocap/slow/1',
      'synth-iemocap/slow/2',
      'synth-iemocap/fast/1',
      'synth-iemocap/fast/2',
    ]);
    // lf-linear has no MSM knobs: the scenario's training settings are reported as not applied.
    expect(d.grid.warnings.join('\n')).toMatch(/lf-linear has no msmSubsets\/msmMaxDrop knob/);
    const rows = wb.store.runs.listByExperiment(d.id);
    expect(rows.every((x) => x.maskSeed === 7 && x.status === 'queued' && x.config.lr !== undefined)).toBe(true);
    expect(rows.map((x) => x.config.lr)).toEqual([0.001, 0.001, 0.003, 0.003, 0.001, 0.001, 0.003, 0.003]);

    const exported = await wb.call('experiments.export', { id: d.id, format: 'csv' });
    expect(exported.ok).toBe(false);
    if (!exported.ok) expect(exported.error).toMatchObject({ code: 'conflict', field: 'id', message: expect.stringMatching(/no finished runs .*8 queued/) });
    const listed = await wb.call('experiments.list', {});
    expect(listed.ok && (listed.output as { id: number }[]).map((e) => e.id)).toContain(d.id);
    const results = await wb.call('experiments.results', { id: d.id });
    expect(results.ok).toBe(true);
    if (results.ok) expect((results.output as { tables: { columns: string[] }[] }).tables[0]!.columns).toEqual(['l,v', 'l,a,v']);
  });

  it('scenarios: the built-in paper one is listed; names are unique and built-ins cannot be overwritten', async () => {
    const list = await wb.call('scenarios.list', {});
    expect(list.ok && (list.output as { name: string; builtin: boolean }[])[0]).toMatchObject({ name: 'paper', builtin: true });
    const clash = await wb.call('scenarios.save', { name: 'paper', spec: {} });
    expect(!clash.ok && clash.error).toMatchObject({ code: 'conflict', field: 'name' });
    await wb.call('scenarios.save', { name: 'twice', spec: {} });
    const again = await wb.call('scenarios.save', { name: 'twice', spec: {} });
    expect(!again.ok && again.error).toMatchObject({ code: 'conflict', field: 'name' });
    const replaced = await wb.call('scenarios.save', { name: 'twice', spec: { evaluation: { maskSeed: 3 } }, replace: true });
    expect(replaced.ok && (replaced.output as { spec: { evaluation: { maskSeed: number } } }).spec.evaluation.maskSeed).toBe(3);
    const bad = await wb.call('scenarios.save', { name: 'bad', spec: { evaluation: { intra: [0.33] } } });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'invalid_input', field: 'spec.evaluation.intra.0' });
  });

  it('reproduce.plan prefers the imported real dataset of the kind and says so; synthetic otherwise', async () => {
    const synthetic = await wb.call('reproduce.plan', { table: 3, methods: ['lf-linear'], seeds: 2 });
    expect(synthetic.ok).toBe(true);
    if (synthetic.ok) {
      const plan = synthetic.output as ReproducePlan;
      // Said once, plainly: no nesting of the dataset in its own reason, no markdown for the UI to show literally.
      expect(plan.datasets).toEqual([{ kind: 'mosi', dataset: 'synth-mosi', synthetic: true, reason: 'no MOSI dataset imported' }]);
      expect(plan.notes.filter((n) => /synthetic/.test(n))).toEqual([
        "MOSI on synthetic data: compare trends with the paper's, not numbers (import the real dataset on the Datasets screen or with hrlf import FILE to compare numbers)",
      ]);
      expect(JSON.stringify(plan)).not.toMatch(/`/);
      // Nothing ran yet: no estimate, and the pair that needs a measurement is named.
      expect(plan.estimate).toEqual({ seconds: null, concurrency: 2, unmeasured: ['lf-linear on synth-mosi'] });
      expect(plan.seeds).toEqual([1111, 1112]);
      expect(plan.runs).toBe(2);
      expect(plan.rows.map((x) => x.label)).toEqual(['HRLF', 'w/o FRF', 'w/o HMI', 'w/o HAL', 'Late fusion (linear)']);
    }
    const imported = await wb.call('datasets.import', { path: join(ROOT, 'test', 'fixtures', 'import', 'mult_mosi_p4_float64.pkl') });
    expect(imported.ok).toBe(true);
    const real = await wb.call('reproduce.plan', { table: 3, methods: ['lf-linear'], seeds: 2 });
    expect(real.ok && (real.output as { datasets: unknown[] }).datasets).toEqual([{ kind: 'mosi', dataset: 'mult_mosi_p4_float64', synthetic: false, reason: expect.stringMatching(/imported/) }]);
    const forced = await wb.call('reproduce.plan', { table: 3, methods: ['lf-linear'], synthetic: true });
    expect(forced.ok && (forced.output as { datasets: { dataset: string }[] }).datasets[0]!.dataset).toBe('synth-mosi');
    // Self-MM runs without ULGM on IEMOCAP: Table 2's plan names the row as its results will.
    const table2 = await wb.call('reproduce.plan', { table: 2, seeds: 1 });
    const table1 = await wb.call('reproduce.plan', { table: 1, seeds: 1 });
    const selfMm = (r: typeof table2) => (r.ok ? (r.output as ReproducePlan).rows.find((x) => x.method === 'self-mm')?.label : null);
    expect([selfMm(table2), selfMm(table1)]).toEqual(['Self-MM (no ULGM)', 'Self-MM']);
    const unknown = await wb.call('reproduce.plan', { table: 1, methods: ['nope'] });
    expect(!unknown.ok && unknown.error).toMatchObject({ code: 'invalid_input', field: 'methods' });
  });
});
