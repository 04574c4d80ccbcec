import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES, type Modality } from '../../../../src-shared/domain';
import type { Rng } from '../../random';
import { Mlp, scoped, type Module, type NamedVariable } from '../../nn';

export type PerModality<T> = Record<Modality, T>;

/**
 * FRF's networks (spec §2 steps 3–4): per modality a sentiment encoder E^S and a modality encoder
 * E^M (ReLU MLPs d → d → d/2), and one shared decoder D_r : [Q; U] ∈ R^d → d → d.
 */
export class Factorisation implements Module {
  readonly es: PerModality<Mlp>;
  readonly em: PerModality<Mlp>;
  readonly decoder: Mlp;

  constructor(d: number, rng: Rng) {
    const half = d / 2;
    const make = (): PerModality<Mlp> => ({
      l: new Mlp([d, d, half], rng),
      a: new Mlp([d, d, half], rng),
      v: new Mlp([d, d, half], rng),
    });
    this.es = make();
    this.em = make();
    this.decoder = new Mlp([d, d, d], rng);
  }

  /** Q_m = E^S_m(Z_m), U_m = E^M_m(Z_m). */
  factorise(z: PerModality<tf.Tensor2D>): { q: PerModality<tf.Tensor2D>; u: PerModality<tf.Tensor2D> } {
    const q = {} as PerModality<tf.Tensor2D>;
    const u = {} as PerModality<tf.Tensor2D>;
    for (const m of MODALITIES) {
      q[m] = this.es[m].apply(z[m]);
      u[m] = this.em[m].apply(z[m]);
    }
    return { q, u };
  }

  namedVariables(): NamedVariable[] {
    return [
      ...MODALITIES.flatMap((m) => scoped(`es.${m}`, this.es[m])),
      ...MODALITIES.flatMap((m) => scoped(`em.${m}`, this.em[m])),
      ...scoped('decoder', this.decoder),
    ];
  }
}

/** The `w/o FRF` replacement: one MLP d → d → d per modality giving C_m directly. */
export class PlainProjection implements Module {
  readonly joint: PerModality<Mlp>;

  constructor(d: number, rng: Rng) {
    this.joint = { l: new Mlp([d, d, d], rng), a: new Mlp([d, d, d], rng), v: new Mlp([d, d, d], rng) };
  }

  project(z: PerModality<tf.Tensor2D>): PerModality<tf.Tensor2D> {
    return { l: this.joint.l.apply(z.l), a: this.joint.a.apply(z.a), v: this.joint.v.apply(z.v) };
  }

  namedVariables(): NamedVariable[] {
    return MODALITIES.flatMap((m) => scoped(`joint.${m}`, this.joint[m]));
  }
}
