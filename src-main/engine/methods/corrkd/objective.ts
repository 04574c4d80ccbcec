/**
 * CorrKD's objectives (resources/docs/baselines.md §9 [gap-fill]). Teacher: L_task on complete
 * data. Student:
 *
 *   L = L_task(ŷ_s, y) + λ_SCD·L_SCD + λ_CPD·L_CPD + λ_RCD·L_RCD        (§9: every λ = 1)
 *   L_SCD = KL_rows(S_t ‖ S_s) + InfoNCE(f_s, f_t)                      (knob scdTerms)
 *   L_CPD = KL_rows(P_t ‖ P_s) over the batch's category prototypes
 *   L_RCD = α·TCKD + β·NCKD + γ·JSD   on the responses, or (ŷ_s − ŷ_t)² (knob rcdRegression 'mse')
 *
 * Every term is reported as its contribution to `total` (its λ applied), parts beside their term
 * (scdKl + scdNce = scd; rcdTarget + rcdNonTarget + rcdJsd = rcd).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { taskLoss } from '../task-loss';
import type { CorrkdConfig } from './card';
import { categoryMembership, cpdLoss, decoupledKd, jsd, responses, scdLoss } from './losses';
import type { CorrkdOutputs } from './network';

/** Named scalar terms, `total` the optimised one. */
export type Terms = Record<string, tf.Scalar>;

/** The task loss: MSE or L1 (knob regressionLoss) for MOSI/MOSEI, the binary heads' CE for IEMOCAP. */
export function corrkdTaskLoss(logits: tf.Tensor2D, y: tf.Tensor2D, task: Task, config: CorrkdConfig): tf.Scalar {
  if (task === 'regression' && config.regressionLoss === 'l1') return tf.mean(tf.abs(tf.sub(logits, y)));
  return taskLoss(logits, y, task);
}

export function teacherTerms(out: CorrkdOutputs, y: tf.Tensor2D, task: Task, config: CorrkdConfig): Terms {
  const loss = corrkdTaskLoss(out.logits, y, task, config);
  return { task: loss, total: loss };
}

/** `teacher`: the frozen teacher on the clean batch; `student`: the student on its corrupted copy. */
export function studentTerms(teacher: CorrkdOutputs, student: CorrkdOutputs, y: tf.Tensor2D, task: Task, config: CorrkdConfig): Terms {
  const terms: Terms = { task: corrkdTaskLoss(student.logits, y, task, config) };
  const parts: tf.Scalar[] = [terms.task!];
  const weighted = (value: tf.Scalar, lambda: number): tf.Scalar => tf.mul(value, lambda);
  if (config.lambdaScd > 0) {
    const { kl, nce } = scdLoss(teacher.feature, student.feature, config.tauScd);
    const scdKl = config.scdTerms === 'infonce' ? tf.scalar(0) : weighted(kl, config.lambdaScd);
    const scdNce = config.scdTerms === 'kl' ? tf.scalar(0) : weighted(nce, config.lambdaScd);
    Object.assign(terms, { scd: tf.add(scdKl, scdNce), scdKl, scdNce });
    parts.push(terms.scd!);
  }
  if (config.lambdaCpd > 0) {
    const membership = categoryMembership(y, task, config.cpdClasses);
    terms.cpd = weighted(cpdLoss(teacher.feature, student.feature, membership, config.tauCpd), config.lambdaCpd);
    parts.push(terms.cpd);
  }
  if (config.lambdaRcd > 0) {
    if (task === 'regression' && config.rcdRegression === 'mse') {
      terms.rcd = weighted(tf.mean(tf.square(tf.sub(student.logits, teacher.logits))), config.lambdaRcd);
    } else {
      const rt = responses(teacher.logits, y, task, config.rcdBinWidth);
      const rs = responses(student.logits, y, task, config.rcdBinWidth);
      const dkd = decoupledKd(rt.z, rs.z, rt.g, config.tauRcd);
      const rcdTarget = weighted(dkd.target, config.lambdaRcd * config.rcdTarget);
      const rcdNonTarget = weighted(dkd.nonTarget, config.lambdaRcd * config.rcdNonTarget);
      const rcdJsd = weighted(jsd(rt.z, rs.z), config.lambdaRcd * config.rcdJsd);
      Object.assign(terms, { rcd: tf.addN([rcdTarget, rcdNonTarget, rcdJsd]), rcdTarget, rcdNonTarget, rcdJsd });
    }
    parts.push(terms.rcd!);
  }
  terms.total = tf.addN(parts);
  return terms;
}
