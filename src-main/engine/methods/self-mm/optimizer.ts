/**
 * torch.optim.Adam over parameter groups, each with its own learning rate and weight decay
 * (MMSA's Self-MM trainer L82-89). PyTorch's Adam step counts per parameter, and every parameter
 * steps together here, so one engine/nn Adam per group is the same optimiser.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../../nn';

export interface ParamGroup {
  params: tf.Variable[];
  lr: number;
  /** torch.optim.Adam's weight_decay: λ·p is added to the gradient before the moments (L2, not AdamW). */
  weightDecay: number;
}

export class GroupedAdam {
  private readonly adams: Adam[];

  constructor(private readonly groups: readonly ParamGroup[]) {
    this.adams = groups.filter((g) => g.params.length > 0).map((g) => new Adam(g.params, { lr: g.lr }));
  }

  /** Every parameter, in group order: what `step` takes gradients for. */
  get params(): tf.Variable[] {
    return this.groups.flatMap((g) => g.params);
  }

  /** One update from `grads` (aligned with `params`). */
  step(grads: readonly tf.Tensor[]): void {
    let offset = 0;
    let k = 0;
    for (const group of this.groups) {
      if (group.params.length === 0) continue;
      const own = grads.slice(offset, offset + group.params.length);
      offset += group.params.length;
      const adam = this.adams[k++]!;
      if (group.weightDecay === 0) {
        adam.apply(own);
        continue;
      }
      tf.tidy(() => adam.apply(own.map((g, i) => tf.add(g, tf.mul(group.params[i]!, group.weightDecay)))));
    }
  }

  /** [step, m, v] of each group's Adam. */
  variables(): tf.Variable[] {
    return this.adams.flatMap((a) => a.variables());
  }

  dispose(): void {
    this.adams.forEach((a) => a.dispose());
  }
}
