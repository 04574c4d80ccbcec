import { createPinia, setActivePinia } from 'pinia';
import { effectScope, nextTick, ref } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MethodsCheckConfigInput } from '../../../src-shared/contract';
import type { MethodConfigCheck } from '../../../src-shared/methods';
import type { TableBlock, TableRow } from '../../../src-shared/results/types';
import { ClientError } from '../../../src-renderer/client/errors';
import { ablationGroups } from '../../../src-renderer/lib/ablation';
import { parseKnobs } from '../../../src-renderer/lib/grid-input';
import { provideClient } from '../../../src-renderer/stores/client';
import { useConfigCheck } from '../../../src-renderer/stores/config-check';
import { FakeClient } from './fake-client';

describe('knob field syntax', () => {
  it('reads key=value pairs as the CLI --set does, keeping values with commas and semicolons whole', () => {
    expect(parseKnobs('')).toEqual({ config: {} });
    expect(parseKnobs(' lr=0.002  stopGradFrfTargets=false msmSubsets=l,v;l,a,v frfDistance=mse')).toEqual({
      config: { lr: 0.002, stopGradFrfTargets: false, msmSubsets: 'l,v;l,a,v', frfDistance: 'mse' },
    });
    expect(parseKnobs('lr')).toMatchObject({ error: expect.stringMatching(/key=value/) });
    expect(parseKnobs('lr=1 lr=2')).toEqual({ error: 'lr given twice' });
  });
});

describe('knob validation as the user types (methods.checkConfig)', () => {
  let client: FakeClient;
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    client = new FakeClient().handle('methods.checkConfig', (input: MethodsCheckConfigInput) => {
      if (input.config && 'foo' in input.config) throw new ClientError({ code: 'invalid_input', message: "config foo: lf-linear has no knob 'foo'; its knobs: lr, batchSize, epochs", field: 'config.foo' });
      return { method: input.method, dataset: input.dataset, kind: 'mosi', config: {}, phases: [{ name: 'model', epochs: 50 }], epochs: 50, training: 'complete' } satisfies MethodConfigCheck;
    });
    provideClient(client);
  });
  afterEach(() => vi.useRealTimers());

  it('asks the services once typing pauses, and reports the refused knob with its field', async () => {
    const text = ref('');
    const scope = effectScope();
    const check = scope.run(() => useConfigCheck(() => [{ dataset: 'synth-mosi', method: 'lf-linear', config: 'config' in parseKnobs(text.value) ? (parseKnobs(text.value) as { config: Record<string, number> }).config : {} }], 300))!;
    for (const typed of ['f', 'fo', 'foo', 'foo=', 'foo=1']) {
      text.value = typed;
      await nextTick();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(check.pending.value).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(client.names()).toEqual(['methods.checkConfig', 'methods.checkConfig']);
    expect(check.error.value).toMatchObject({ field: 'config.foo', message: expect.stringMatching(/its knobs: lr, batchSize, epochs/) });
    expect(check.pending.value).toBe(false);

    text.value = 'lr=0.002';
    await nextTick();
    await vi.advanceTimersByTimeAsync(400);
    expect(check.error.value).toBeNull();
    expect(check.results.value[0]).toMatchObject({ phases: [{ name: 'model', epochs: 50 }], training: 'complete' });
    scope.stop();
  });
});

describe('ablation chart groups', () => {
  const row = (method: string, n = 2): TableRow => ({ label: method, method, variant: null, paperLabel: null, state: 'done', note: null, n, cells: [] });
  const block = (title: string, rows: TableRow[]): TableBlock => ({ title, dataset: title, datasetKind: 'mosi', synthetic: true, metric: 'f1_non0', rows });
  const ablationOf = (m: string): string | null => ({ 'hrlf-wo-hal': 'hrlf', 'hrlf-wo-frf': 'hrlf', 'x-lite': 'x' })[m] ?? null;

  it('puts each method beside its finished ablations, from the cards, with no method named in the chart', () => {
    const groups = ablationGroups(
      [
        block('synth-mosi', [row('lf-linear'), row('hrlf'), row('hrlf-wo-hal'), row('hrlf-wo-frf', 0)]),
        block('synth-mosei', [row('hrlf'), row('x'), row('x-lite'), row('hrlf-wo-frf')]),
        block('synth-iemocap', [row('hrlf'), row('lf-linear')]),
      ],
      ablationOf,
    );
    expect(groups.map((g) => [g.key, g.rows.map((r) => r.method)])).toEqual([
      ['synth-mosi', ['hrlf', 'hrlf-wo-hal']],
      ['synth-mosei-hrlf', ['hrlf', 'hrlf-wo-frf']],
      ['synth-mosei-x', ['x', 'x-lite']],
    ]);
  });
});
