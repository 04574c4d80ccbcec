import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import type { Rng } from '../../random';
import { Adam, EVAL, trainCtx } from '../../nn';
import type { Batch, Phase } from '../method';
import type { HrlfConfig } from './config';
import type { HrlfNetwork } from './network';
import { teacherObjective } from './objective';
import { tidyTerms, type PackedTerms } from './terms';

/** Spec §4.1: the teacher learns on complete data with L_task + λ_FRF·L_FRF, then freezes. */
export class TeacherPhase implements Phase {
  readonly name = 'teacher';
  readonly epochs: number;
  readonly batchSize: number;
  private readonly adam: Adam;

  constructor(
    readonly net: HrlfNetwork,
    private readonly config: HrlfConfig,
    private readonly task: Task,
    readonly cacheKey: string,
  ) {
    this.epochs = config.epochs;
    this.batchSize = config.batchSize;
    this.adam = new Adam(net.variables(), { lr: config.lr });
  }

  trainStep(batch: Batch, rng: Rng): PackedTerms {
    return tidyTerms(() => {
      const ctx = trainCtx(rng);
      const holder: { terms?: PackedTerms } = {};
      this.adam.minimize(() => {
        const { total, terms } = teacherObjective(this.net, this.net.forward(batch, ctx), batch.y, this.task, this.config);
        holder.terms = terms.pack();
        return total;
      });
      if (!holder.terms) throw new Error('teacher step produced no loss');
      return holder.terms;
    });
  }

  /** Complete validation data, eval mode: the teacher's selection criterion is its own objective. */
  validate(batch: Batch): PackedTerms {
    return tidyTerms(() => teacherObjective(this.net, this.net.forward(batch, EVAL), batch.y, this.task, this.config).terms.pack());
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  optimizerVariables(): tf.Variable[] {
    return this.adam.variables();
  }

  /** Frozen from here on: the student phase only runs it forward, in eval mode. */
  finish(): void {
    for (const v of this.net.variables()) v.trainable = false;
  }

  dispose(): void {
    this.adam.dispose();
  }
}
