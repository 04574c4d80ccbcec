import type * as tf from '@tensorflow/tfjs-core';

/** A named parameter: dotted path (PyTorch-like, e.g. `layers.0.attn.qkv.weight`) and its variable. */
export type NamedVariable = readonly [name: string, variable: tf.Variable];

/**
 * Anything that owns parameters. Names exist so tests can load reference weights and checkpoints
 * stay readable; the order is stable so flat optimizer state lines up across runs.
 */
export interface Module {
  namedVariables(): NamedVariable[];
}

/** Prefixes a child's names with `prefix.` so a parent can expose a flat, unique list. */
export function scoped(prefix: string, child: Module): NamedVariable[] {
  return child.namedVariables().map(([n, v]) => [`${prefix}.${n}`, v] as const);
}

export function variablesOf(...modules: Module[]): tf.Variable[] {
  return modules.flatMap((m) => m.namedVariables().map(([, v]) => v));
}

export function disposeModule(module: Module): void {
  for (const [, v] of module.namedVariables()) v.dispose();
}
