import type { DataShape } from '../../types';
import { phaseCacheKey } from '../teacher-cache';
import type { HrlfConfig } from './config';

/** Bump when the teacher's computation changes, so stale cached teachers are not reused. */
const TEACHER_VERSION = 'hrlf-teacher/1';

/**
 * Identifies a trained teacher: data shape, seed, and exactly the knobs the teacher phase reads.
 * `hrlf`, `hrlf-wo-hmi` and `hrlf-wo-hal` (and any λ_HMI/λ_HAL/λ_KL or discriminator change)
 * share it; `hrlf-wo-frf` differs (no factorisation, no L_FRF). Assumes, as the trainer provides,
 * that the init stream `ctx.rng` depends only on the seed.
 */
export function teacherCacheKey(shape: DataShape, config: HrlfConfig, seed: number, factorised: boolean): string {
  const key = {
    version: TEACHER_VERSION,
    shape,
    seed,
    factorised,
    d: config.d,
    layers: config.layers,
    heads: config.heads,
    dropout: config.dropout,
    ffnMultiplier: config.ffnMultiplier,
    scaleEmbedding: config.scaleEmbedding,
    lr: config.lr,
    batchSize: config.batchSize,
    epochs: config.epochs,
    // FRF settings matter only when the teacher has the factorisation and the term is on.
    frf: factorised && config.lambdaFrf > 0 ? { lambda: config.lambdaFrf, stopGrad: config.stopGradFrfTargets, distance: config.frfDistance } : null,
  };
  return phaseCacheKey('hrlf-teacher', key);
}
