/**
 * Methods through the contract: the cards as the UI sees them, knob validation as forms call it
 * (the same resolution as runs.start), and a method that cannot run on a dataset kind refused
 * before anything is queued, by runs.start, experiments.create and reproduce alike.
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodConfigCheck, MethodSummary } from '../../src-shared/methods';
import type { ReproducePlan } from '../../src-shared/results/types';
import { defineMethod, type RegisteredMethod } from '../../src-main/engine/methods/card';
import { SPEC_TRAINING, trainingKnobs } from '../../src-main/engine/methods/knobs';
import { METHODS } from '../../src-main/engine/methods/registry';
import { Workbench } from '../../src-main/services/api';
import { requireBuild, tempHome } from './helpers';

/**
 * A regression-only stand-in under CubeMLP's id (its paper row), never trained here: it takes the
 * real card's place for this file, so the test does not depend on which kinds the real one supports.
 */
const regressionOnly = defineMethod({
  id: 'cubemlp',
  title: 'Stand-in (MOSI/MOSEI only)',
  description: 'A card that cannot run on IEMOCAP.',
  family: 'complete-modality',
  config: z.strictObject(trainingKnobs),
  kinds: ['mosi', 'mosei'],
  defaults: { mosi: SPEC_TRAINING.mosi, mosei: SPEC_TRAINING.mosei },
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  training: () => 'complete',
  representation: 'nothing',
  load: () => Promise.reject(new Error('not trainable')),
});

describe('methods through the contract', () => {
  let wb: Workbench;
  let replaced: RegisteredMethod | undefined;
  const runCount = (): number => wb.store.runs.list().length;

  beforeAll(() => {
    requireBuild();
    const at = METHODS.findIndex((m) => m.id === regressionOnly.id);
    if (at >= 0) replaced = (METHODS as RegisteredMethod[]).splice(at, 1, regressionOnly)[0]!;
    else (METHODS as RegisteredMethod[]).push(regressionOnly);
    wb = new Workbench({ home: tempHome('hrlf-methods-api-'), mode: 'cli', workQueue: false });
  });
  afterAll(() => {
    wb.close();
    (METHODS as RegisteredMethod[]).splice(METHODS.indexOf(regressionOnly), 1, ...(replaced ? [replaced] : []));
  });

  it('methods.list describes each card: family, phases per kind, training condition, knobs, representation, ablations, teacher sharing', async () => {
    const r = await wb.call('methods.list', {});
    expect(r.ok).toBe(true);
    const list = (r.ok ? r.output : []) as MethodSummary[];
    const byId = new Map(list.map((m) => [m.id, m]));
    const hrlf = byId.get('hrlf')!;
    expect(hrlf).toMatchObject({ family: 'hrlf', representation: 'fused representation H̃', ablationOf: null, presets: ['paper-literal'] });
    expect(hrlf.teacher).toEqual({ phase: 'teacher', sharedWith: ['hrlf', 'hrlf-wo-hmi', 'hrlf-wo-hal'] });
    expect(hrlf.kinds.map((k) => [k.kind, k.phases, k.training])).toEqual([
      ['mosi', [{ name: 'teacher', epochs: 50 }, { name: 'student', epochs: 50 }], 'msm'],
      ['mosei', [{ name: 'teacher', epochs: 20 }, { name: 'student', epochs: 20 }], 'msm'],
      ['iemocap', [{ name: 'teacher', epochs: 30 }, { name: 'student', epochs: 30 }], 'msm'],
    ]);
    expect(hrlf.knobs.find((k) => k.key === 'dropout')).toMatchObject({ type: 'number', default: 0.1, min: 0, exclusiveMax: 1, description: expect.stringMatching(/dropout/) });
    expect(hrlf.knobs.find((k) => k.key === 'frfDistance')).toMatchObject({ type: 'string', values: ['l2', 'mse'] });
    expect(byId.get('hrlf-wo-hal')!.knobs.find((k) => k.key === 'lambdaHal')).toMatchObject({ values: [0] });
    expect(byId.get('hrlf-wo-frf')).toMatchObject({ ablationOf: 'hrlf', teacher: { sharedWith: ['hrlf-wo-frf'] } });
    const lf = byId.get('lf-linear')!;
    expect(lf).toMatchObject({ family: 'other', ablationOf: null, teacher: null, presets: [] });
    expect(lf.representation).not.toMatch(/H̃/);
    expect(lf.kinds[0]).toMatchObject({ kind: 'mosi', training: 'complete', phases: [{ name: 'model', epochs: 50 }], config: { lr: 1e-3, batchSize: 128, epochs: 50 } });
    expect(byId.get('cubemlp')!.kinds.map((k) => k.kind)).toEqual(['mosi', 'mosei']);
  });

  it('methods.checkConfig resolves as runs.start would: the full config, phases, epochs over all phases, training condition', async () => {
    const r = await wb.call('methods.checkConfig', { dataset: 'synth-mosei', method: 'hrlf-wo-hmi', epochs: 3, preset: 'paper-literal', config: { lr: 0.002 } });
    expect(r.ok).toBe(true);
    const check = (r.ok ? r.output : null) as MethodConfigCheck;
    expect(check).toMatchObject({ kind: 'mosei', epochs: 6, training: 'msm', phases: [{ name: 'teacher', epochs: 3 }, { name: 'student', epochs: 3 }] });
    // The ablation keeps its λ at 0 under the paper-literal preset; the preset's other λ apply.
    expect(check.config).toMatchObject({ lambdaHmi: 0, lambdaHal: 1, stopGradFrfTargets: false, lr: 0.002, heads: 8 });
    expect(runCount()).toBe(0);
  });

  it.each([
    [{ dataset: 'synth-mosi', method: 'lf-linear', config: { foo: 1 } }, 'config.foo', /lf-linear has no knob 'foo'; its knobs: lr, batchSize, epochs/],
    [{ dataset: 'synth-mosi', method: 'hrlf', config: { dropout: 1.5 } }, 'config.dropout', /config dropout/],
    [{ dataset: 'synth-mosi', method: 'hrlf', config: { d: 30, heads: 4 } }, 'config.heads', /divisible/],
    [{ dataset: 'synth-mosi', method: 'hrlf-wo-hal', config: { lambdaHal: 0.5 } }, 'config.lambdaHal', /lambdaHal/],
    [{ dataset: 'synth-mosi', method: 'lf-linear', preset: 'paper-literal' }, 'preset', /unknown preset 'paper-literal' for lf-linear; available: none/],
    [{ dataset: 'synth-mosi', method: 'nope' }, 'method', /unknown method 'nope'/],
    [{ dataset: 'synth-iemocap', method: 'cubemlp' }, 'dataset', /cubemlp cannot run on IEMOCAP datasets; it runs on MOSI, MOSEI/],
  ])('methods.checkConfig and runs.start refuse %j the same way, naming %s', async (input, field, message) => {
    for (const op of ['methods.checkConfig', 'runs.start'] as const) {
      const r = await wb.call(op, input);
      expect(r.ok, op).toBe(false);
      if (!r.ok) {
        expect(r.error, op).toMatchObject({ code: 'invalid_input', field });
        expect(r.error.message, op).toMatch(message);
      }
    }
    expect(runCount()).toBe(0);
  });

  it('runs.start stores the training condition beside the knobs and plans the epochs of every phase', async () => {
    // Paused: the run is stored and queued, never started.
    await wb.call('queue.pause', {});
    const r = await wb.call('runs.start', { dataset: 'synth-mosi', method: 'hrlf', epochs: 2 });
    expect(r.ok).toBe(true);
    const row = wb.store.runs.get((r.ok ? (r.output as { id: number }) : { id: 0 }).id)!;
    expect(row.epochsPlanned).toBe(4);
    expect(row.config).toMatchObject({ trainingCondition: 'msm', epochs: 2 });
    expect(row.status).toBe('queued');
    wb.runs.cancel(row.id);
  });

  it('experiments.create and reproduce refuse a method on a dataset kind it cannot run on before queueing anything', async () => {
    const before = runCount();
    const r = await wb.call('experiments.create', { methods: ['lf-linear', 'cubemlp'], datasets: ['synth-mosi', 'synth-iemocap'], seeds: [1] });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'methods', message: expect.stringMatching(/cubemlp cannot run on IEMOCAP .*synth-iemocap/) } });
    const explicit = await wb.call('reproduce.plan', { table: 2, methods: ['cubemlp'] });
    expect(explicit).toMatchObject({ ok: false, error: { field: 'methods', message: expect.stringMatching(/cubemlp cannot run on IEMOCAP, which Table 2 needs/) } });
    const table2 = await wb.call('reproduce.plan', { table: 2, synthetic: true });
    const row2 = (table2.ok ? (table2.output as ReproducePlan) : null)!.rows.find((x) => x.label === 'CubeMLP')!;
    expect(row2).toMatchObject({ method: 'cubemlp', run: false, note: expect.stringMatching(/cannot run on IEMOCAP/) });
    const table1 = await wb.call('reproduce.plan', { table: 1, synthetic: true });
    expect((table1.ok ? (table1.output as ReproducePlan) : null)!.methods).toContain('cubemlp');
    expect(runCount()).toBe(before);
  });
});
