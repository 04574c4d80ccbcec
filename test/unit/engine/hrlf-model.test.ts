import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { MODALITIES, type Modality } from '../../../src-shared/domain';
import { hrlfConfigSchema } from '../../../src-main/engine/methods/hrlf/config';
import { Discriminator, StatisticsNetwork } from '../../../src-main/engine/methods/hrlf/critics';
import { halDiscriminatorLoss } from '../../../src-main/engine/methods/hrlf/losses/hal';
import { permutationMatrix } from '../../../src-main/engine/methods/hrlf/losses/hmi';
import { presentRows, type MsmMasks } from '../../../src-main/engine/data/msm';
import { applyMasks } from '../../../src-main/engine/data/msm-batch';
import { HrlfNetwork } from '../../../src-main/engine/methods/hrlf/network';
import { studentObjective, teacherObjective } from '../../../src-main/engine/methods/hrlf/objective';
import { multiScale } from '../../../src-main/engine/methods/hrlf/scales';
import { EVAL, scoped, tuneWasmKernels, type Module } from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import type { DataShape } from '../../../src-main/engine/types';
import { BACKENDS, useBackend } from './helpers/backends';
import { lossesNow } from './helpers/losses';
import { expectClose, loadParams, nnFixtures, toTensor, type JsonParams, type JsonTensor } from './helpers/fixtures';

interface ModelFixture {
  shape: DataShape;
  d: number;
  heads: number;
  layers: number;
  teacher: JsonParams;
  student: JsonParams;
  critics: JsonParams;
  discs: JsonParams;
  x: Record<Modality, JsonTensor>;
  y: JsonTensor;
  masks: Record<Modality, JsonTensor>;
  perms: number[][];
  teacherOut: { zl: JsonTensor; ht: JsonTensor; logits: JsonTensor };
  studentOut: { ht: JsonTensor; logits: JsonTensor };
  teacherTerms: Record<string, number>;
  studentTerms: Record<string, number>;
}

const fx = nnFixtures<{ model: ModelFixture }>().model;

function group(modules: readonly Module[]): Module {
  return { namedVariables: () => modules.flatMap((m, i) => scoped(String(i), m)) };
}

/**
 * The TS model against the PyTorch reference that the engine benchmark times
 * (bench/engine/hrlf_torch.py): same weights, same batch, MSM masks and HMI permutations, dropout
 * off; outputs and every loss term must agree.
 */
describe.each(BACKENDS)('HRLF model equals the PyTorch reference (bench/engine/hrlf_torch.py) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it('teacher and student outputs and loss terms', () => {
    const config = hrlfConfigSchema.parse({ d: fx.d, heads: fx.heads, layers: fx.layers, dropout: 0 });
    const options = { shape: fx.shape, d: fx.d, layers: fx.layers, heads: fx.heads, dropout: 0, ffnMultiplier: 4, scaleEmbedding: true, factorised: true };
    const teacher = new HrlfNetwork(options, createRng(1));
    const student = new HrlfNetwork(options, createRng(2));
    const widths = [3 * fx.d, 2 * fx.d, fx.d];
    const critics = widths.map((k) => new StatisticsNetwork(k, createRng(3)));
    const discs = widths.map((k) => new Discriminator(k, createRng(4)));
    loadParams(teacher, fx.teacher);
    loadParams(student, fx.student);
    loadParams(group(critics), fx.critics);
    loadParams(group(discs), fx.discs);
    tf.tidy(() => {
      const batch = {
        l: toTensor(fx.x.l) as tf.Tensor3D,
        a: toTensor(fx.x.a) as tf.Tensor3D,
        v: toTensor(fx.x.v) as tf.Tensor3D,
      };
      const y = toTensor(fx.y) as tf.Tensor2D;
      const t = teacher.forward(batch, EVAL);
      expectClose(t.z.l, fx.teacherOut.zl);
      expectClose(t.ht, fx.teacherOut.ht);
      expectClose(t.logits, fx.teacherOut.logits);
      const tt = lossesNow(teacherObjective(teacher, t, y, 'regression', config).terms.pack());
      for (const [name, value] of Object.entries(fx.teacherTerms)) expectClose(tt[name]!, value);

      const masks = Object.fromEntries(MODALITIES.map((m) => [m, Float32Array.from(fx.masks[m].data)])) as unknown as MsmMasks;
      const s = student.forward(applyMasks(batch, masks), EVAL, presentRows(masks));
      expectClose(s.ht, fx.studentOut.ht);
      expectClose(s.logits, fx.studentOut.logits);
      const teacherScales = multiScale(t);
      const r = studentObjective({
        student,
        studentOut: s,
        teacherScales,
        teacherLogits: t.logits,
        y,
        task: 'regression',
        config,
        critics,
        discriminators: discs,
        permutations: fx.perms.map((p) => permutationMatrix(Int32Array.from(p))),
      });
      const st = lossesNow(r.terms.pack());
      for (const [name, value] of Object.entries(fx.studentTerms)) {
        if (name === 'disc') expectClose(halDiscriminatorLoss(discs, teacherScales, r.scales).dataSync()[0]!, value);
        else expectClose(st[name]!, value, 2e-5);
      }
    });
    [teacher, student].forEach((n) => n.dispose());
    [...critics, ...discs].forEach((m) => m.namedVariables().forEach(([, v]) => v.dispose()));
  });
});
