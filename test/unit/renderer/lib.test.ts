import { describe, expect, it } from 'vitest';
import { nextTick, reactive } from 'vue';
import { useShownErrors } from '../../../src-renderer/lib/shown-errors';
import { lossSeries } from '../../../src-renderer/lib/loss-chart';
import { INTER_CONDITIONS } from '../../../src-shared/domain';
import type { ExperimentResults } from '../../../src-shared/results/types';
import { barOffset } from '../../../src-renderer/lib/error-bars';
import { estimateGrid, estimateRun, type Measurement } from '../../../src-shared/results/eta';
import { parseSeeds, parseVary } from '../../../src-renderer/lib/grid-input';
import { groupBy, groupByKeys } from '../../../src-renderer/lib/group-by';
import { draftErrors, draftOf, specOf } from '../../../src-renderer/lib/scenario-draft';

const m: Measurement = { runId: 1, method: 'hrlf', dataset: 'synth-mosi', secondsPerEpoch: 10, overheadSeconds: 5, epochsPerPhase: 1, phases: 2 };

describe('estimates from measured step times', () => {
  it('scales by the epochs a new run trains', () => {
    expect(estimateRun(m, null)).toBe(25);
    expect(estimateRun(m, 3)).toBe(65);
  });

  it('sums the grid, divides by the concurrency and names unmeasured pairs', () => {
    const e = estimateGrid({ methods: ['hrlf', 'lf-linear'], datasets: ['synth-mosi'], seeds: 2, variants: 0, epochs: 1 }, { 'hrlf|synth-mosi': m }, 2);
    expect(e).toEqual({ runs: 4, seconds: 25, unmeasured: ['lf-linear on synth-mosi'] });
    expect(estimateGrid({ methods: ['x'], datasets: ['y'], seeds: 1, variants: 0, epochs: null }, {}, 2).seconds).toBeNull();
  });
});

describe('experiment builder fields', () => {
  it('parses seeds as the CLI does', () => {
    expect(parseSeeds('1111-1113, 7')).toEqual({ seeds: [1111, 1112, 1113, 7] });
    expect(parseSeeds('')).toEqual({ error: 'at least one seed' });
    expect(parseSeeds('3,3')).toEqual({ error: 'each seed once' });
    expect(parseSeeds('5-1')).toMatchObject({ error: expect.stringMatching(/backwards/) });
    expect(parseSeeds('1.5')).toMatchObject({ error: expect.stringMatching(/not an integer/) });
  });

  it('parses one varied knob into named variants with typed values', () => {
    expect(parseVary('')).toEqual({ variants: [] });
    expect(parseVary('lr=0.001,0.002')).toEqual({
      variants: [
        { name: 'lr=0.001', config: { lr: 0.001 } },
        { name: 'lr=0.002', config: { lr: 0.002 } },
      ],
    });
    expect(parseVary('stopGradFrfTargets=true,false')).toMatchObject({ variants: [{ config: { stopGradFrfTargets: true } }, { config: { stopGradFrfTargets: false } }] });
    expect(parseVary('lr')).toMatchObject({ error: expect.any(String) });
  });
});

describe('scenario draft', () => {
  it('validates every field before anything is sent', () => {
    const d = { ...draftOf(null, ''), inter: [], intra: [], subsets: [], maskSeed: '-1', maxDrop: '1.5' };
    expect(Object.keys(draftErrors(d)).sort()).toEqual(['inter', 'intra', 'maskSeed', 'maxDrop', 'name', 'subsets']);
    expect(draftErrors(draftOf(null, 'ok'))).toEqual({});
  });

  it('serialises the selection in protocol order', () => {
    const d = { ...draftOf(null, 'x'), inter: ['l,a,v', 'a'] as typeof INTER_CONDITIONS[number][], intra: [0.5, 0], maskSeed: '7', maxDrop: '0.5' };
    expect(specOf(d)).toEqual({ training: { msm: { subsets: [...INTER_CONDITIONS], maxDropRatio: 0.5 } }, evaluation: { inter: ['a', 'l,a,v'], intra: [0, 0.5], maskSeed: 7 } });
  });
});

describe('group-by over a config key', () => {
  const results = {
    groups: [
      { dataset: 'd', method: 'hrlf', variant: 'lr=1', config: { lr: 1, d: 40 } },
      { dataset: 'd', method: 'hrlf', variant: 'lr=2', config: { lr: 2, d: 40 } },
      { dataset: 'd', method: 'hrlf-wo-hal', variant: 'lr=1', config: { lr: 1, d: 40 } },
    ],
    cells: [
      { dataset: 'd', method: 'hrlf', variant: 'lr=1', protocol: 'inter', condition: 'l,a,v', metric: 'f1_non0', values: [0.8, 0.82] },
      { dataset: 'd', method: 'hrlf', variant: 'lr=2', protocol: 'inter', condition: 'l,a,v', metric: 'f1_non0', values: [0.7, 0.72] },
      { dataset: 'd', method: 'hrlf-wo-hal', variant: 'lr=1', protocol: 'inter', condition: 'l,a,v', metric: 'f1_non0', values: [0.78, null] },
    ],
  } as unknown as ExperimentResults;

  it('offers the keys that vary first', () => {
    expect(groupByKeys(results.groups)).toEqual(['method', 'variant', 'lr', 'd']);
  });

  it('pools the seeds of every group with the same value, in display units', () => {
    const rows = groupBy(results, 'lr', 'inter', 'l,a,v', 'f1_non0');
    expect(rows.map((r) => [r.value, r.groups, r.n])).toEqual([
      ['1', 2, 3],
      ['2', 1, 2],
    ]);
    expect(rows[1]!.mean).toBeCloseTo(71, 6);
    expect(rows[1]!.std).toBeCloseTo(Math.SQRT2, 6);
  });
});

describe('error bars', () => {
  it('centres whiskers on grouped bars', () => {
    expect(barOffset(0, 1)).toBeCloseTo(0, 9);
    expect(barOffset(0, 2)).toBeCloseTo(-barOffset(1, 2), 9);
    expect(barOffset(0, 2)).toBeLessThan(0);
  });
});

describe('form errors shown only after input (useShownErrors)', () => {
  it('an untouched form shows none; a changed field shows its own; a submit shows all; a reset starts over', async () => {
    const form = reactive({ name: '', methods: [] as string[] });
    const errors = useShownErrors(
      () => ({ ...(form.name ? {} : { name: 'a name' }), ...(form.methods.length ? {} : { methods: 'choose at least one method' }) }),
      { name: () => form.name, methods: () => form.methods },
    );
    expect([errors.shown('name'), errors.shown('methods')]).toEqual([undefined, undefined]);
    form.methods.push('hrlf');
    form.methods.pop();
    await nextTick();
    expect([errors.shown('name'), errors.shown('methods')]).toEqual([undefined, 'choose at least one method']);
    expect(errors.attempt()).toBe(false);
    expect(errors.shown('name')).toBe('a name');
    // Clearing the fields for a fresh form is no touch.
    form.name = 'typed';
    await nextTick();
    form.name = '';
    await errors.reset();
    expect([errors.shown('name'), errors.shown('methods')]).toEqual([undefined, undefined]);
    form.name = 'x';
    form.methods.push('hrlf');
    await nextTick();
    expect(errors.attempt()).toBe(true);
  });
});

describe('loss chart lines', () => {
  it('one live line per phase (no jump back from the teacher to the student), and the stored epochs after a reload', () => {
    const epoch = (phase: string, e: number) => ({ phase, epoch: e, train: { total: 1 / e }, valid: { total: 1.1 / e }, seconds: 1 });
    const live = [
      { x: 0.5, phase: 'teacher', total: 2 },
      { x: 1.5, phase: 'teacher', total: 1.5 },
      { x: 0.5, phase: 'student', total: 3 },
    ];
    const series = lossSeries([epoch('teacher', 1), epoch('teacher', 2)], live);
    expect(series.map((s) => s.name)).toEqual(['teacher train', 'teacher valid', 'teacher per step (live)', 'student per step (live)']);
    for (const s of series.filter((x) => x.kind === 'live')) {
      const xs = s.data.map(([x]) => x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    // After a reload nothing live is known: the stored history is drawn.
    expect(lossSeries([epoch('teacher', 1), epoch('student', 1)], []).map((s) => s.name)).toEqual(['teacher train', 'teacher valid', 'student train', 'student valid']);
  });
});
