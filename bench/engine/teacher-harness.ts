/**
 * Test metrics of a cached HRLF teacher under the complete condition (runs made before teacher
 * metrics were stored). Loaded by teacher-metrics.mjs; reads a data home, changes nothing.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { regressionMetrics } from '../../src-shared/metrics';
import { readDatasetFile } from '../../src-main/engine/data/dataset-file';
import { interMasks } from '../../src-main/engine/data/masks';
import { instantiate, resolveConfig } from '../../src-main/engine/methods/registry';
import { createRng } from '../../src-main/engine/random';
import { outputsOf } from '../../src-main/engine/train/batches';
import { phaseCacheFile } from '../../src-main/engine/train/trainer';
import { loadSnapshot, restore } from '../../src-main/engine/train/weights';
import { shapeOf } from '../../src-main/engine/types';

export async function teacherMetrics(home: string, datasetId: string, method: string, seed: number, preset: string | undefined, backend: string, epochs?: number): Promise<Record<string, number>> {
  const db = new Database(join(home, 'workbench.sqlite'), { readonly: true });
  const row = db.prepare('SELECT path, sha256 FROM datasets WHERE id = ?').get(datasetId) as { path: string; sha256: string };
  db.close();
  const data = readDatasetFile(row.path, row.sha256);
  const shape = shapeOf(data);
  const config = resolveConfig(shape.kind, { method, ...(preset ? { preset } : {}), ...(epochs !== undefined ? { epochs } : {}) });
  const instance = await instantiate(method, { shape, config, seed, rng: createRng(`${seed}|init|${method}`) });
  const teacher = instance.phases[0]!;
  const file = phaseCacheFile(join(home, 'teachers'), `${row.sha256}|${backend}`, teacher.cacheKey!);
  if (!existsSync(file)) throw new Error(`no cached teacher for ${method} seed ${seed}${preset ? ` preset ${preset}` : ''} (${file})`);
  restore(teacher.variables(), loadSnapshot(file).snap);
  const masks = interMasks('l,a,v', data.test.n, data.T);
  const preds = (await outputsOf(data, data.test, 256, (b) => instance.predictTeacher!(b), masks)).values;
  instance.dispose();
  return { ...regressionMetrics(preds, data.test.y) };
}
