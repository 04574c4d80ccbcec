/**
 * A frozen network's outputs on the clean rows of a split, computed once and gathered per batch.
 * Distilling methods (HRLF, CorrKD) run their frozen teacher, in eval mode, on every clean student
 * batch: its outputs depend on the sample only, and recomputing them was ~22 % of the CPU time of
 * an HRLF student training step and ~45 % of a validation step (README, issue 13). The cache lives
 * on the backend as tensors and is never checkpointed: a resumed run fills it again from the
 * restored teacher.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batches } from '../train/batches';
import type { SplitData } from '../types';
import type { Batch, Inputs } from './method';

/** Samples per forward pass while filling a split's cache; no effect on the cached rows. */
const FILL_BATCH = 256;

/** Per-sample outputs, each [B, k_i]: rows follow the batch. */
type RowOutputs<O> = { [K in keyof O]: tf.Tensor2D };

const tensorsOf = <O extends RowOutputs<O>>(outputs: O): [string, tf.Tensor2D][] => Object.entries(outputs);

export class FrozenOutputs<O extends RowOutputs<O>> {
  private readonly bySplit = new Map<SplitData, O>();

  /**
   * `forward`: the frozen network in eval mode on a batch, its outputs row by row (no output that
   * mixes samples, no randomness). Its weights must not change after the first `of` call.
   */
  constructor(private readonly forward: (inputs: Inputs) => O) {}

  /**
   * `forward(batch)`: rows of the batch's split's cache, filled on the split's first batch; computed
   * on the batch itself when it names no split (Batch.split). Call inside tf.tidy: the returned
   * tensors are the caller's to free.
   */
  of(batch: Batch): O {
    if (!batch.split) return this.forward(batch);
    const all = this.bySplit.get(batch.split) ?? this.fill(batch.split, batch);
    const rows = tf.tensor1d(batch.index, 'int32');
    return Object.fromEntries(tensorsOf(all).map(([name, t]) => [name, tf.gather(t, rows)])) as O;
  }

  /** Frees every cached split (the owner's dispose). */
  dispose(): void {
    for (const outputs of this.bySplit.values()) tf.dispose(tensorsOf(outputs).map(([, t]) => t));
    this.bySplit.clear();
  }

  private fill(split: SplitData, like: Batch): O {
    const layout = { T: like.l.shape[1], dims: [like.l.shape[2], like.a.shape[2], like.v.shape[2]] as [number, number, number], labelDim: like.y.shape[1] };
    const parts: O[] = [];
    for (const chunk of batches(layout, split, FILL_BATCH)) parts.push(tf.tidy(() => this.forward(chunk)));
    const columns = parts.map((p) => new Map(tensorsOf(p)));
    const names = [...(columns[0]?.keys() ?? [])];
    // Kept: the cache outlives the step's tidy it is filled in.
    const all = Object.fromEntries(names.map((name) => [name, tf.keep(tf.concat(columns.map((c) => c.get(name)!), 0))])) as O;
    tf.dispose(columns.flatMap((c) => [...c.values()]));
    this.bySplit.set(split, all);
    return all;
  }
}
