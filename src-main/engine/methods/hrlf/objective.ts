import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import type { Discriminator, StatisticsNetwork } from './critics';
import type { HrlfConfig } from './config';
import { frfTerms } from './losses/frf';
import { halGeneratorLoss } from './losses/hal';
import { hmiLoss } from './losses/hmi';
import { klLoss } from './losses/kl';
import { taskLoss } from '../task-loss';
import type { HrlfNetwork, NetworkOutputs } from './network';
import { multiScale } from './scales';
import { Terms } from './terms';

/** λ_FRF·L_FRF as terms frf, frfSelf, frfCross, frfRecon; nothing when FRF is off. */
function addFrf(terms: Terms, net: HrlfNetwork, out: NetworkOutputs, config: HrlfConfig): tf.Scalar[] {
  const fac = net.factorisation;
  if (!fac || !out.q || !out.u || config.lambdaFrf === 0) return [];
  const parts = frfTerms(fac, out.z, out.q, out.u, { distance: config.frfDistance, stopGradTargets: config.stopGradFrfTargets });
  const self = tf.mul(parts.self, config.lambdaFrf) as tf.Scalar;
  const cross = tf.mul(parts.cross, config.lambdaFrf) as tf.Scalar;
  const recon = tf.mul(parts.recon, config.lambdaFrf) as tf.Scalar;
  const frf = tf.addN([self, cross, recon]) as tf.Scalar;
  terms.add('frf', frf);
  terms.add('frfSelf', self);
  terms.add('frfCross', cross);
  terms.add('frfRecon', recon);
  return [frf];
}

/** Teacher objective (spec §4.1): L_task + λ_FRF·L_FRF on complete data. */
export function teacherObjective(
  net: HrlfNetwork,
  out: NetworkOutputs,
  y: tf.Tensor2D,
  task: Task,
  config: HrlfConfig,
): { total: tf.Scalar; terms: Terms } {
  const terms = new Terms();
  const taskTerm = taskLoss(out.logits, y, task);
  terms.add('task', taskTerm);
  const total = tf.addN([taskTerm, ...addFrf(terms, net, out, config)]) as tf.Scalar;
  terms.add('total', total);
  return { total, terms };
}

export interface StudentObjectiveInputs {
  student: HrlfNetwork;
  studentOut: NetworkOutputs;
  /** The frozen teacher's scales E^t_1..3 and logits, on the clean batch. */
  teacherScales: readonly tf.Tensor2D[];
  teacherLogits: tf.Tensor2D;
  y: tf.Tensor2D;
  task: Task;
  config: HrlfConfig;
  critics: readonly StatisticsNetwork[];
  discriminators: readonly Discriminator[];
  /** One [N_i, N_i] permutation matrix per scale for HMI's negative pairs. */
  permutations: readonly tf.Tensor2D[];
}

/** Student objective (spec §3.6): L_task + λ_FRF L_FRF + λ_HMI L_HMI + λ_HAL L_HAL + λ_KL L_KL. */
export function studentObjective(i: StudentObjectiveInputs): { total: tf.Scalar; terms: Terms; scales: tf.Tensor2D[] } {
  const { config } = i;
  const terms = new Terms();
  const scales = multiScale(i.studentOut);
  const taskTerm = taskLoss(i.studentOut.logits, i.y, i.task);
  terms.add('task', taskTerm);
  const parts: tf.Scalar[] = [taskTerm, ...addFrf(terms, i.student, i.studentOut, config)];
  if (i.critics.length > 0 && config.lambdaHmi > 0) {
    const hmi = tf.mul(hmiLoss(i.critics, i.teacherScales, scales, i.permutations), config.lambdaHmi) as tf.Scalar;
    terms.add('hmi', hmi);
    parts.push(hmi);
  }
  if (i.discriminators.length > 0 && config.lambdaHal > 0) {
    const hal = tf.mul(halGeneratorLoss(i.discriminators, scales), config.lambdaHal) as tf.Scalar;
    terms.add('hal', hal);
    parts.push(hal);
  }
  if (config.lambdaKl > 0) {
    const kl = tf.mul(klLoss(i.teacherLogits, i.studentOut.logits, i.task), config.lambdaKl) as tf.Scalar;
    terms.add('kl', kl);
    parts.push(kl);
  }
  const total = tf.addN(parts) as tf.Scalar;
  terms.add('total', total);
  return { total, terms, scales };
}
