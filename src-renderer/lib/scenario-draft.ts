/**
 * The scenario builder's form state as the user types it (numbers as text), its validation, and
 * the ScenarioSpec it stands for. Validation mirrors the contract's schema so that nothing invalid
 * is sent; the server still checks and its errors land on the same fields.
 */
import { INTER_CONDITIONS, INTRA_RATIOS, type InterCondition } from '../../src-shared/domain';
import type { ScenarioSpec, ScenarioSummary } from '../../src-shared/results/scenario';

export interface ScenarioDraft {
  name: string;
  description: string;
  inter: InterCondition[];
  intra: number[];
  maskSeed: string;
  subsets: InterCondition[];
  maxDrop: string;
}

/** Field names are the contract's paths, so a server error's `field` finds the same slot. */
export const DRAFT_FIELDS = {
  name: 'name',
  inter: 'spec.evaluation.inter',
  intra: 'spec.evaluation.intra',
  maskSeed: 'spec.evaluation.maskSeed',
  subsets: 'spec.training.msm.subsets',
  maxDrop: 'spec.training.msm.maxDropRatio',
} as const;

export function draftOf(s: ScenarioSummary | null, name = ''): ScenarioDraft {
  const spec = s?.spec;
  return {
    name,
    description: s && !s.builtin ? s.description : '',
    inter: [...(spec?.evaluation.inter ?? INTER_CONDITIONS)],
    intra: [...(spec?.evaluation.intra ?? INTRA_RATIOS)],
    maskSeed: String(spec?.evaluation.maskSeed ?? 0),
    subsets: [...(spec?.training.msm.subsets ?? INTER_CONDITIONS)],
    maxDrop: String(spec?.training.msm.maxDropRatio ?? 1),
  };
}

const MAX_SEED = 2 ** 31 - 1;

/** Spec-only errors (what the preview needs); `name` is checked only for saving. */
export function specErrors(d: ScenarioDraft): Partial<Record<keyof typeof DRAFT_FIELDS, string>> {
  const e: Partial<Record<keyof typeof DRAFT_FIELDS, string>> = {};
  if (d.inter.length === 0) e.inter = 'choose at least one inter-modality condition';
  if (d.intra.length === 0) e.intra = 'choose at least one intra ratio';
  if (!/^\d+$/.test(d.maskSeed.trim()) || Number(d.maskSeed) > MAX_SEED) e.maskSeed = `an integer from 0 to ${MAX_SEED}`;
  if (d.subsets.length === 0) e.subsets = 'MSM needs at least one available-modality set';
  const drop = Number(d.maxDrop);
  if (d.maxDrop.trim() === '' || !Number.isFinite(drop) || drop < 0 || drop > 1) e.maxDrop = 'a ratio in [0, 1]';
  return e;
}

export function draftErrors(d: ScenarioDraft): Partial<Record<keyof typeof DRAFT_FIELDS, string>> {
  const e = specErrors(d);
  if (d.name.trim() === '') e.name = 'a name';
  else if (/[\r\n]/.test(d.name) || d.name.length > 100) e.name = 'one line of at most 100 characters';
  return e;
}

/** Protocol order, so the same selection always serialises the same. */
export function specOf(d: ScenarioDraft): ScenarioSpec {
  return {
    training: { msm: { subsets: INTER_CONDITIONS.filter((c) => d.subsets.includes(c)), maxDropRatio: Number(d.maxDrop) } },
    evaluation: {
      inter: INTER_CONDITIONS.filter((c) => d.inter.includes(c)),
      intra: INTRA_RATIOS.filter((r) => d.intra.includes(r)),
      maskSeed: Number(d.maskSeed),
    },
  };
}
