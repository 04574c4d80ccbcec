/**
 * Missingness scenarios: the training-time MSM settings and the evaluation protocol of an
 * experiment. The built-in `paper` scenario is spec §4–§5; users save their own (e.g. only audio
 * missing, p up to 0.5).
 *
 * A scenario reaches a run three ways: MSM settings become config knobs of the methods that have
 * them (so they are stored in the run's config and its hash), the mask seed travels in the run
 * (RunSpec.maskSeed), and the evaluation selection picks what results and exports report.
 */
import { z } from 'zod';
import { INTER_CONDITIONS, INTRA_RATIOS, MISSING_CONDITIONS, type InterCondition } from '../domain';

/** Mask seed of the paper protocol: the one every plain `hrlf train` run uses. */
export const PAPER_MASK_SEED = 0;

/**
 * Config knobs that carry the MSM settings into a method's config. A method whose schema does
 * not declare them (lf-linear trains on complete data) does not get them; the experiment says so.
 *   msmSubsets: the available-modality sets MSM draws from, uniformly, ';'-separated
 *               conditions such as "l,v;l,a,v" (a string so that it stays a scalar config value);
 *   msmMaxDrop: the frame-drop ratio is drawn p ~ U[0, msmMaxDrop) per sample.
 */
export const MSM_KNOBS = { subsets: 'msmSubsets', maxDrop: 'msmMaxDrop' } as const;

const interCondition = z.enum(INTER_CONDITIONS);
/** Ratios on the protocol's 0.1 grid: the engine evaluates exactly these (spec §5). */
const intraRatio = z
  .number()
  .min(0)
  .max(1)
  .refine((p) => INTRA_RATIOS.some((r) => Math.abs(r - p) < 1e-9), { message: 'an intra ratio of the protocol grid 0, 0.1, …, 1' });

function unique<T>(values: readonly T[]): boolean {
  return new Set(values).size === values.length;
}

export const ScenarioSpecSchema = z.strictObject({
  training: z.strictObject({
    msm: z.strictObject({
      subsets: z
        .array(interCondition)
        .min(1, 'at least one available-modality set')
        .refine(unique, 'each set once')
        .default([...INTER_CONDITIONS]),
      maxDropRatio: z.number().min(0).max(1).default(1),
    }).prefault({}),
  }).prefault({}),
  evaluation: z.strictObject({
    inter: z.array(interCondition).refine(unique, 'each condition once').default([...INTER_CONDITIONS]),
    intra: z.array(intraRatio).refine(unique, 'each ratio once').default([...INTRA_RATIOS]),
    maskSeed: z.number().int().min(0).max(2 ** 31 - 1).default(PAPER_MASK_SEED),
  }).prefault({}),
});
export type ScenarioSpec = z.output<typeof ScenarioSpecSchema>;
export type ScenarioSpecInput = z.input<typeof ScenarioSpecSchema>;

export const PAPER_SCENARIO_NAME = 'paper';

/** Spec §4 (MSM over all 7 sets, p ~ U[0, 1)) and §5 (7 conditions, p = 0.0 … 1.0). */
export const PAPER_SCENARIO: ScenarioSpec = {
  training: { msm: { subsets: [...INTER_CONDITIONS], maxDropRatio: 1 } },
  evaluation: { inter: [...INTER_CONDITIONS], intra: [...INTRA_RATIOS], maskSeed: PAPER_MASK_SEED },
};

export const PAPER_SCENARIO_DESCRIPTION =
  "The paper's protocol (spec §4–§5): MSM draws the available set uniformly from the 7 non-empty subsets and drops frames with p ~ U[0, 1); evaluation under the 7 inter-modality conditions and p = 0.0 … 1.0, mask seed 0.";

export interface ScenarioSummary {
  id: number;
  name: string;
  description: string;
  builtin: boolean;
  spec: ScenarioSpec;
  createdAt: string;
}

/** Sets in the protocol's order, so equal selections serialise (and hash) equally. */
function ordered<T>(values: readonly T[], order: readonly T[]): T[] {
  return order.filter((v) => values.includes(v));
}

export function normalizeScenario(spec: ScenarioSpec): ScenarioSpec {
  return {
    training: { msm: { subsets: ordered(spec.training.msm.subsets, INTER_CONDITIONS), maxDropRatio: spec.training.msm.maxDropRatio } },
    evaluation: {
      inter: ordered(spec.evaluation.inter, INTER_CONDITIONS),
      intra: INTRA_RATIOS.filter((r) => spec.evaluation.intra.some((p) => Math.abs(p - r) < 1e-9)),
      maskSeed: spec.evaluation.maskSeed,
    },
  };
}

/**
 * The knobs a scenario sets, only where it departs from the paper's MSM: a paper-protocol run
 * then has exactly the config (and hash) of a plain run, and its teacher cache entries match.
 */
export function scenarioConfigOverrides(spec: ScenarioSpec): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const subsets = ordered(spec.training.msm.subsets, INTER_CONDITIONS);
  if (subsets.length !== INTER_CONDITIONS.length) out[MSM_KNOBS.subsets] = subsets.join(';');
  if (spec.training.msm.maxDropRatio !== 1) out[MSM_KNOBS.maxDrop] = spec.training.msm.maxDropRatio;
  return out;
}

/** Inverse of the msmSubsets encoding, for engines reading the knob. */
export function parseMsmSubsets(value: string): InterCondition[] {
  const parts = value.split(';').map((s) => s.trim());
  for (const p of parts) if (!(INTER_CONDITIONS as readonly string[]).includes(p)) throw new Error(`msmSubsets: '${p}' is not one of ${INTER_CONDITIONS.join(' ')}`);
  return parts as InterCondition[];
}

/** Which stored evaluations a scenario reports: its inter conditions, "avg" only when all six missing ones are in, and its ratios. */
export function reportedConditions(spec: ScenarioSpec): { inter: string[]; intra: string[] } {
  const inter: string[] = ordered(spec.evaluation.inter, INTER_CONDITIONS);
  const withAvg = MISSING_CONDITIONS.every((c) => inter.includes(c));
  const missing = inter.filter((c) => c !== 'l,a,v');
  const complete = inter.filter((c) => c === 'l,a,v');
  return {
    // The paper's column order: the six missing conditions, Avg., then the complete one.
    inter: [...missing, ...(withAvg ? ['avg'] : []), ...complete],
    intra: normalizeScenario(spec).evaluation.intra.map((p) => p.toFixed(1)),
  };
}
