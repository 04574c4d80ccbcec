import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { SELF_MM_DEFAULTS, selfMmConfigSchema } from './config';

/** Self-MM (Yu et al., AAAI 2021) as MMSA implements it, without BERT (resources/docs/baselines.md §2). */
export const selfMm = defineMethod({
  id: 'self-mm',
  title: 'Self-MM',
  description:
    'Self-supervised multi-task learning (AAAI 2021, MMSA code): LSTM sub-networks, a fusion head and three unimodal heads whose labels ULGM generates; trained on complete data. On IEMOCAP it runs as "Self-MM (no ULGM)" (ulgm = false).',
  family: 'complete-modality',
  config: selfMmConfigSchema,
  kinds: DATASET_KINDS,
  defaults: SELF_MM_DEFAULTS,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  // §1.4: complete-modality methods train on complete data.
  training: () => 'complete',
  representation: 'fusion representation F*_m (first fusion-head layer, post_fusion_dim)',
  load: () => import('./model').then((m) => m.createSelfMm),
});
