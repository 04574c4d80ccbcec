/**
 * What the UI and the CLI know about a method: the engine's method cards (src-main/engine/methods),
 * described as plain data. Nothing here decides anything; the services resolve and validate configs.
 */
import type { DatasetKind } from './domain';

/** The paper's grouping of the compared methods (Tables 1–2), plus HRLF's own and everything else. */
export const METHOD_FAMILIES = ['complete-modality', 'joint-learning', 'generative', 'hrlf', 'other'] as const;
export type MethodFamily = (typeof METHOD_FAMILIES)[number];

export const FAMILY_LABELS: Record<MethodFamily, string> = {
  'complete-modality': 'complete-modality',
  'joint-learning': 'joint learning (missing modalities)',
  generative: 'generative (missing modalities)',
  hrlf: 'HRLF and its ablations',
  other: 'other',
};

/**
 * The data a method trains on (docs/baselines.md §1.4): complete data, the shared Modality
 * Stochastic Missing generator (hrlf-spec §4.2), or the method's own missing simulation.
 * Stored in every run's config as `trainingCondition`.
 */
export const TRAINING_CONDITIONS = ['complete', 'msm', 'own'] as const;
export type TrainingCondition = (typeof TRAINING_CONDITIONS)[number];

export const TRAINING_CONDITION_LABELS: Record<TrainingCondition, string> = {
  complete: 'complete data',
  msm: 'shared MSM (Modality Stochastic Missing)',
  own: "the method's own missing simulation",
};

export type KnobValue = number | boolean | string | null;

/** One config knob, as its zod schema declares it. */
export interface KnobSummary {
  key: string;
  type: 'number' | 'integer' | 'boolean' | 'string';
  /** The schema's default (before per-dataset defaults); undefined: none, the kind's defaults give it. */
  default?: KnobValue;
  nullable: boolean;
  /** Inclusive or exclusive bounds of numbers. */
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  /** Allowed values of an enum (or the one value of a knob fixed by the method, e.g. an ablation's λ = 0). */
  values?: KnobValue[];
  pattern?: string;
  description: string;
}

export interface PhaseSummary {
  name: string;
  epochs: number;
}

/** A method on one dataset kind with its default config. */
export interface MethodKindSummary {
  kind: DatasetKind;
  /** The full default config for this kind (schema defaults ← per-kind defaults). */
  config: Record<string, KnobValue>;
  phases: PhaseSummary[];
  training: TrainingCondition;
}

export interface MethodSummary {
  id: string;
  title: string;
  description: string;
  family: MethodFamily;
  /** What the embedding view shows for this method, e.g. "fused representation H̃". */
  representation: string;
  /** The method this one ablates (Table 3), or null. */
  ablationOf: string | null;
  /** Named config presets (`--preset`). */
  presets: string[];
  /** Methods whose runs can reuse one cached teacher phase (same seed, teacher knobs, data, backend). */
  teacher: { phase: string; sharedWith: string[] } | null;
  knobs: KnobSummary[];
  /** Only the dataset kinds the method supports. */
  kinds: MethodKindSummary[];
}

/** `methods.checkConfig`: what runs.start would queue, resolved exactly as it would be. */
export interface MethodConfigCheck {
  method: string;
  dataset: string;
  kind: DatasetKind;
  config: Record<string, KnobValue>;
  phases: PhaseSummary[];
  /** Epochs over all phases (what the run's progress counts). */
  epochs: number;
  training: TrainingCondition;
}

/** A knob's allowed values in words: `> 0, ≤ 1`, `"l2" | "mse"`, `≥ 1 or null`. */
export function knobRange(k: KnobSummary): string {
  if (k.values) return k.values.map((v) => JSON.stringify(v)).join(' | ');
  const lo = k.min !== undefined ? `≥ ${k.min}` : k.exclusiveMin !== undefined ? `> ${k.exclusiveMin}` : '';
  const hi = k.max !== undefined ? `≤ ${k.max}` : k.exclusiveMax !== undefined ? `< ${k.exclusiveMax}` : '';
  return [lo, hi].filter(Boolean).join(', ') + (k.pattern ? ` ${k.pattern}` : '') + (k.nullable ? ' or null' : '');
}
