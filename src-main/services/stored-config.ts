/**
 * A run's stored config: the method's resolved knobs plus provenance kept beside them (the preset
 * named, what the run trained on), outside the config hash.
 */
import type { Config } from '../engine/methods/card';
import { getMethod } from '../engine/methods/registry';

/** The method's knobs of a stored run config, as the engine receives them. */
export function knobsOnly(config: Record<string, unknown>): Record<string, unknown> {
  const { preset: _preset, trainingCondition: _training, ...rest } = config;
  return rest;
}

/** Epochs over all phases of a stored run config, from the method's card. */
export function totalEpochs(method: string, config: Record<string, unknown>): number {
  return getMethod(method)
    .phases(knobsOnly(config) as Config)
    .reduce((n, p) => n + p.epochs, 0);
}
