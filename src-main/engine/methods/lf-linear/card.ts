import { z } from 'zod';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { SPEC_TRAINING, trainingKnobs } from '../knobs';

export const lfLinearConfig = z.strictObject(trainingKnobs);

/** The pipeline's floor: every fusion method should beat it. */
export const lfLinear = defineMethod({
  id: 'lf-linear',
  title: 'Late fusion (linear)',
  description: 'Mean-pool each modality over time, concatenate, linear head; trained on complete data.',
  family: 'other',
  config: lfLinearConfig,
  kinds: DATASET_KINDS,
  defaults: SPEC_TRAINING,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  training: () => 'complete',
  representation: 'time-mean features [x̄_l; x̄_a; x̄_v]',
  asyncReads: true,
  load: () => import('./lf-linear').then((m) => m.createLfLinear),
});
