import type { Rng } from '../random';

/**
 * Per-call forward settings. Dropout needs both the mode and a seeded source, so that a training
 * step is reproducible from the step's Rng and evaluation is deterministic.
 */
export interface ForwardCtx {
  readonly training: boolean;
  /** Source of dropout seeds; only read when `training` is true. */
  readonly rng: Rng | null;
}

export const EVAL: ForwardCtx = { training: false, rng: null };

export function trainCtx(rng: Rng): ForwardCtx {
  return { training: true, rng };
}
