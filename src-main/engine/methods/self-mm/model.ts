/**
 * Self-MM's model code, loaded on demand by its card (./card.ts): the network (./network.ts), its
 * one training phase with ULGM (./phase.ts, ./ulgm.ts) and the forward passes evaluation uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeModule, EVAL } from '../../nn';
import type { Inputs, MethodContext, MethodInstance } from '../method';
import type { SelfMmConfig } from './config';
import { SelfMmNetwork } from './network';
import { SelfMmPhase } from './phase';

/** The network and phase behind a Self-MM instance (the parity test reaches them). */
export interface SelfMmParts {
  instance: MethodInstance;
  net: SelfMmNetwork;
  phase: SelfMmPhase;
}

export function buildSelfMm({ shape, config, rng, trainSize }: MethodContext<SelfMmConfig>): SelfMmParts {
  if (config.ulgm && shape.task !== 'regression') {
    throw new Error('config ulgm: ULGM generates regression labels; on IEMOCAP Self-MM runs without it ("Self-MM (no ULGM)"): set ulgm to false');
  }
  if (trainSize === undefined || !(trainSize > 0)) throw new Error('Self-MM needs the training split size (MethodContext.trainSize) for its per-sample stores');
  const net = new SelfMmNetwork(shape, config, rng);
  const phase = new SelfMmPhase(net, config, shape.task, trainSize);
  const instance: MethodInstance = {
    phases: [phase],
    predict: (x: Inputs) => tf.tidy(() => net.forward(x, EVAL, true).outputs.fusion),
    represent: (x: Inputs) => tf.tidy(() => net.forward(x, EVAL, true).features.fusion),
    dispose() {
      phase.dispose();
      disposeModule(net);
    },
  };
  return { instance, net, phase };
}

export function createSelfMm(ctx: MethodContext<SelfMmConfig>): MethodInstance {
  return buildSelfMm(ctx).instance;
}
