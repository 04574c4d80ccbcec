/**
 * HRLF and its three Table 3 ablations. One model (./method.ts) with structural switches; each
 * card loads it with its own variant.
 */
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod, type MethodCard } from '../card';
import { ablationSchema, HRLF_DEFAULTS, hrlfConfigSchema, hrlfPresets, type FixedZero } from './config';
import type { HrlfVariant } from './method';

type HrlfSchema = typeof hrlfConfigSchema;

/** An HRLF card; an ablation names the λ it fixes at 0 (its schema and presets keep it there). */
function hrlfCard(
  card: Pick<MethodCard<HrlfSchema>, 'id' | 'title' | 'description'>,
  variant: HrlfVariant,
  ablation?: FixedZero,
): MethodCard<HrlfSchema> {
  return {
    ...card,
    family: 'hrlf',
    config: ablation ? ablationSchema(ablation) : hrlfConfigSchema,
    kinds: DATASET_KINDS,
    defaults: HRLF_DEFAULTS,
    presets: hrlfPresets(ablation),
    // Spec §4: a teacher on complete data, frozen, then a student under MSM; `epochs` each.
    phases: (c) => [
      { name: 'teacher', epochs: c.epochs },
      { name: 'student', epochs: c.epochs },
    ],
    training: () => 'msm',
    representation: 'fused representation H̃',
    asyncReads: true,
    ...(ablation ? { ablationOf: 'hrlf' } : {}),
    // Without the factorisation the teacher differs: w/o FRF caches its own.
    teacher: { phase: 'teacher', group: variant.factorised ? 'hrlf' : 'hrlf-unfactorised' },
    load: () => import('./method').then((m) => (ctx) => m.createHrlf(ctx, variant)),
  };
}

export const hrlf = defineMethod(
  hrlfCard(
    {
      id: 'hrlf',
      title: 'HRLF',
      description: 'Hierarchical Representation Learning Framework (NeurIPS 2024): teacher–student distillation with FRF, HMI and HAL.',
    },
    { factorised: true, hmi: true, hal: true },
  ),
);

export const hrlfWithoutFrf = defineMethod(
  hrlfCard(
    {
      id: 'hrlf-wo-frf',
      title: 'HRLF w/o FRF',
      description: 'Ablation (Table 3): no L_FRF and no factorisation; E^S/E^M replaced by one MLP d→d→d per modality.',
    },
    { factorised: false, hmi: true, hal: true },
    'lambdaFrf',
  ),
);

export const hrlfWithoutHmi = defineMethod(
  hrlfCard(
    { id: 'hrlf-wo-hmi', title: 'HRLF w/o HMI', description: 'Ablation (Table 3): no L_HMI and no statistics networks.' },
    { factorised: true, hmi: false, hal: true },
    'lambdaHmi',
  ),
);

export const hrlfWithoutHal = defineMethod(
  hrlfCard(
    { id: 'hrlf-wo-hal', title: 'HRLF w/o HAL', description: 'Ablation (Table 3): no L_HAL and no discriminators.' },
    { factorised: true, hmi: true, hal: false },
    'lambdaHal',
  ),
);
