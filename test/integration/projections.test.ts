import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src-shared/contract';
import type { ProjectionView, RunDetail } from '../../src-shared/models';
import { Workbench } from '../../src-main/services/api';
import { requireBuild, tempHome } from './helpers';

let wb: Workbench;
let runId: number;

async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await wb.call(op, input);
  if (!r.ok) throw new Error(`${r.error.code} ${r.error.field ?? ''}: ${r.error.message}`);
  return r.output as T;
}

beforeAll(async () => {
  requireBuild();
  wb = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
  runId = wb.runs.start(parseInput('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', seed: 2, epochs: 1 })).id;
  await wb.runs.idle();
});
afterAll(() => wb.close());

describe('embedding projections', () => {
  it('lists the stored representation conditions of a run', async () => {
    const run = await call<RunDetail>('runs.get', { id: runId });
    expect(run.representations).toEqual(['l,a,v', 'l', 'p=0.5+l']);
  });

  it('projects a stratified, capped sample with t-SNE off the UI process, then serves it from the store', async () => {
    const first = await call<ProjectionView>('projections.compute', { runId, condition: 'l,a,v', algorithm: 'tsne', seed: 1, perClass: 20 });
    expect(first.cached).toBe(false);
    expect(first.params).toMatchObject({ algorithm: 'tsne', perplexity: 30, perClass: 20 });
    const perClass = new Map<number, number>();
    for (const p of first.points) perClass.set(p.cls, (perClass.get(p.cls) ?? 0) + 1);
    expect(Math.max(...perClass.values())).toBe(20);
    expect(perClass.size).toBe(7);
    expect(first.points[0]!.id).toMatch(/_\d+$/);
    expect(first.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    const again = await call<ProjectionView>('projections.compute', { runId, condition: 'l,a,v', algorithm: 'tsne', seed: 1, perClass: 20 });
    expect(again.cached).toBe(true);
    expect(again.points).toEqual(first.points);
  });

  it('names a condition that has no stored representation', async () => {
    const r = await wb.call('projections.compute', { runId, condition: 'a', algorithm: 'umap' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', field: 'condition' } });
  });
});
