/**
 * Knobs and defaults that many methods share, as zod fields a card spreads into its schema.
 * Card-level: imports only zod and src-shared.
 */
import { z } from 'zod';
import type { DatasetKind } from '../../../src-shared/domain';
import { MSM_KNOBS } from '../../../src-shared/results/scenario';

/** Spec §4: Adam learning rate, batch size and epochs per dataset (MOSI, MOSEI, IEMOCAP). */
export const SPEC_TRAINING: Record<DatasetKind, { lr: number; batchSize: number; epochs: number }> = {
  mosi: { lr: 1e-3, batchSize: 128, epochs: 50 },
  mosei: { lr: 2e-3, batchSize: 16, epochs: 20 },
  iemocap: { lr: 4e-3, batchSize: 32, epochs: 30 },
};

/** What the trainer reads: every method declares `epochs`; most take lr and batchSize as they are. */
export const trainingKnobs = {
  lr: z.number().positive().max(1).describe('Adam learning rate'),
  batchSize: z.number().int().min(1).max(4096).describe('samples per optimisation step'),
  epochs: z.number().int().min(1).max(1000).describe('epochs of each training phase (model selection: best validation loss)'),
};

/** An optional count of epochs (1–1000, default null = off or inherited): early-stop patience, a phase's own epochs. */
export function optionalEpochCount(): z.ZodDefault<z.ZodNullable<z.ZodNumber>> {
  return z.number().int().min(1).max(1000).nullable().default(null);
}

/**
 * The shared MSM generator's settings (hrlf-spec §4.2 [fill]), for methods that train under it.
 * A scenario sets them (src-shared/results/scenario.ts); the defaults are the paper's.
 */
export const msmKnobs = {
  [MSM_KNOBS.subsets]: z
    .string()
    .regex(/^(l|a|v|l,a|l,v|a,v|l,a,v)(;(l|a|v|l,a|l,v|a,v|l,a,v))*$/, "';'-separated subsets of l,a,v in l,a,v order, e.g. 'l,v;l,a,v'")
    .default('l;a;v;l,a;l,v;a,v;l,a,v')
    .describe("MSM: the available-modality sets drawn from, uniformly (';'-separated)"),
  [MSM_KNOBS.maxDrop]: z.number().min(0).max(1).default(1).describe('MSM: frame-drop ratio p ~ U[0, max) per sample'),
} as const;
