/**
 * DMD's network, read beside mdswyz/DMD:trains/singleTask/model/dmd.py ("dmd.py L<n>") with the
 * adaptations of resources/docs/baselines.md §4 (no BERT: our text features go to proj_l directly,
 * after text_dropout) and the MulT-family encoder of §1.8 (engine/nn's CrossModalTransformer).
 *
 * Layout: [B, T, C] (time-major per sample) where the reference uses [B, C, T] and [T, B, C]; every
 * flatten says which order the reference's view() produces. B batch, T input steps, T'_m = T − k_m + 1,
 * d = config.d, O = output width (1, or 8 logits on IEMOCAP). Modality order is the reference's
 * [l, v, a] wherever it lists them (graph units, fusion).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import { Conv1d, CrossModalTransformer, dropout, Linear, scoped, type ForwardCtx, type Module, type NamedVariable } from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import type { DmdConfig } from './card';

export const MODALITIES = ['l', 'v', 'a'] as const;
export type Modality = (typeof MODALITIES)[number];
type PerModality<T> = Record<Modality, T>;

/** The reference's `res` dict (dmd.py L292-331), in our layout; what the losses read. */
export interface DmdOutputs {
  /** proj_x_m [B, T'_m, d]: the reconstruction targets (`origin_m`). */
  origin: PerModality<tf.Tensor3D>;
  /** s_m, c_m, recon_m, s_m_r: [B, T'_m, d]. */
  s: PerModality<tf.Tensor3D>;
  c: PerModality<tf.Tensor3D>;
  recon: PerModality<tf.Tensor3D>;
  sCycle: PerModality<tf.Tensor3D>;
  /** c_m_sim [B, d]: the shared part aligned for the margin (hinge) loss. */
  cSim: PerModality<tf.Tensor2D>;
  /** Homogeneous branch: logits [B, O] and repr [B, d] (ReLU'd, see homo()). */
  logitsHomo: PerModality<tf.Tensor2D>;
  reprHomo: PerModality<tf.Tensor2D>;
  /** Heterogeneous branch: logits [B, O] and repr [B, 2d] (the residual MLP output). */
  logitsHetero: PerModality<tf.Tensor2D>;
  reprHetero: PerModality<tf.Tensor2D>;
  /** logits_c [B, O] from the fused self-attended shared parts. */
  logitsC: tf.Tensor2D;
  /** The fused vector fed to out_layer [B, 9d] (represent()). */
  fused: tf.Tensor2D;
  /** output_logit [B, O]. */
  output: tf.Tensor2D;
}

/** proj2(dropout(relu(proj1(x)))) + x, then out_layer: the reference's residual output MLP. */
class ResidualHead implements Module {
  readonly proj1: Linear;
  readonly proj2: Linear;
  readonly out: Linear;

  constructor(width: number, hidden: number, outWidth: number, rng: Rng) {
    this.proj1 = new Linear(width, hidden, rng);
    this.proj2 = new Linear(hidden, width, rng);
    this.out = new Linear(width, outWidth, rng);
  }

  /** x [B, width] → the ReLU'd hidden [B, hidden], the residual output [B, width] and the logits [B, O]. */
  apply(x: tf.Tensor2D, rate: number, ctx: ForwardCtx): { hidden: tf.Tensor2D; proj: tf.Tensor2D; logits: tf.Tensor2D } {
    const hidden = this.proj1.apply(x, 'relu');
    const proj = tf.add(this.proj2.apply(dropout(hidden, rate, ctx)), x) as tf.Tensor2D;
    return { hidden, proj, logits: this.out.apply(proj) };
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('proj1', this.proj1), ...scoped('proj2', this.proj2), ...scoped('out', this.out)];
  }
}

const CROSS = ['la', 'lv', 'al', 'av', 'vl', 'va'] as const;
type Cross = (typeof CROSS)[number];

export class DmdNetwork implements Module {
  /** dmd.py L47-49: Conv1d(orig_d → d, k, padding 0, no bias); null where orig_d = d (L158-160). */
  readonly proj: PerModality<Conv1d | null>;
  /** dmd.py L52-57: specific encoders (one per modality) and the ONE shared encoder, k = 1, no bias. */
  readonly encS: PerModality<Conv1d>;
  readonly encC: Conv1d;
  /** dmd.py L60-62: Conv1d(2d → d, k = 1, no bias) on [s_m; c_m]. */
  readonly decoder: PerModality<Conv1d>;
  /** dmd.py L70-72: Linear(d·T'_m → d) on the flattened c_m. */
  readonly alignC: PerModality<Linear>;
  readonly selfAttn: PerModality<CrossModalTransformer>;
  /** dmd.py L78-80: proj1_c, proj2_c, out_layer_c on the 3d fusion of the self-attended c. */
  readonly headC: ResidualHead;
  readonly cross: Record<Cross, CrossModalTransformer>;
  readonly mem: PerModality<CrossModalTransformer>;
  /** dmd.py L94-102 (d·T'_m → d → d·T'_m → O) and L105-113 (2d → 2d → 2d → O). */
  readonly homo: PerModality<ResidualHead>;
  readonly hetero: PerModality<ResidualHead>;
  /** dmd.py L117-120: the sigmoid gates before fusion. */
  readonly gate: PerModality<Linear>;
  readonly gateC: Linear;
  /** dmd.py L122-124: proj1, proj2, out_layer on the 9d fusion. */
  readonly headOut: ResidualHead;
  /** T'_m per modality. */
  readonly steps: PerModality<number>;
  readonly outWidth: number;

  constructor(
    shape: DataShape,
    private readonly config: DmdConfig,
    rng: Rng,
  ) {
    const d = config.d;
    const [dL, dA, dV] = shape.dims;
    const orig: PerModality<number> = { l: dL, v: dV, a: dA };
    const k: PerModality<number> = { l: config.kernelL, v: config.kernelV, a: config.kernelA };
    const T = shape.T;
    this.outWidth = outputWidth(shape.task, shape.labelDim);
    const each = <X>(make: (m: Modality) => X): PerModality<X> => ({ l: make('l'), v: make('v'), a: make('a') });
    this.proj = each((m) => (orig[m] === d ? null : new Conv1d(orig[m], d, k[m], rng, { bias: false })));
    this.steps = each((m) => (this.proj[m] ? T - k[m] + 1 : T));
    for (const m of MODALITIES) {
      if (this.steps[m] < 1) throw new Error(`config kernel${m.toUpperCase()}: kernel ${k[m]} is longer than the ${T} input steps`);
    }
    this.encS = each(() => new Conv1d(d, d, 1, rng, { bias: false }));
    this.encC = new Conv1d(d, d, 1, rng, { bias: false });
    this.decoder = each(() => new Conv1d(2 * d, d, 1, rng, { bias: false }));
    this.alignC = each((m) => new Linear(d * this.steps[m], d, rng));
    // dmd.py L126-149 get_network: attention dropout by self_type (MulT's naming: 'la' is text ← audio at width d_a).
    const attnOf: Record<string, number> = {
      l: config.attnDropout,
      al: config.attnDropout,
      vl: config.attnDropout,
      a: config.attnDropoutA,
      la: config.attnDropoutA,
      va: config.attnDropoutA,
      v: config.attnDropoutV,
      lv: config.attnDropoutV,
      av: config.attnDropoutV,
    };
    const net = (type: string, width: number, layers: number): CrossModalTransformer =>
      new CrossModalTransformer(
        {
          d: width,
          heads: config.heads,
          layers,
          attnDropout: attnOf[type] ?? config.attnDropout,
          reluDropout: config.reluDropout,
          resDropout: config.resDropout,
          embedDropout: config.embedDropout,
          causal: config.causal,
        },
        rng,
      );
    this.selfAttn = each((m) => net(m, d, config.layers));
    this.headC = new ResidualHead(3 * d, 3 * d, this.outWidth, rng);
    this.cross = { la: net('la', d, config.layers), lv: net('lv', d, config.layers), al: net('al', d, config.layers), av: net('av', d, config.layers), vl: net('vl', d, config.layers), va: net('va', d, config.layers) };
    const memLayers = Math.max(config.layers, config.memLayers);
    this.mem = each((m) => net(`${m}_mem`, 2 * d, memLayers));
    this.homo = each((m) => new ResidualHead(d * this.steps[m], d, this.outWidth, rng));
    this.hetero = each(() => new ResidualHead(2 * d, 2 * d, this.outWidth, rng));
    this.gate = each(() => new Linear(2 * d, 2 * d, rng));
    this.gateC = new Linear(3 * d, 3 * d, rng);
    this.headOut = new ResidualHead(9 * d, 9 * d, this.outWidth, rng);
  }

  /** dmd.py L151-331. */
  forward(x: Inputs, ctx: ForwardCtx): DmdOutputs {
    const cfg = this.config;
    const rate = cfg.outputDropout;
    const B = x.l.shape[0];
    const input: PerModality<tf.Tensor3D> = { l: dropout(x.l, cfg.textDropout, ctx), v: x.v, a: x.a }; // L154-156
    const per = <X>(f: (m: Modality) => X): PerModality<X> => ({ l: f('l'), v: f('v'), a: f('a') });
    const origin = per((m) => this.proj[m]?.apply(input[m]) ?? input[m]); // L158-160 [B, T'_m, d]
    const s = per((m) => this.encS[m].apply(origin[m])); // L162-164
    const c = per((m) => this.encC.apply(origin[m])); // L166-168
    // L171-173: c_m [B, d, T'] viewed as [B, d·T'] (feature-major), hence the transpose.
    const cSim = per((m) => this.alignC[m].apply(tf.reshape(tf.transpose(c[m], [0, 2, 1]), [B, -1]) as tf.Tensor2D));
    const recon = per((m) => this.decoder[m].apply(tf.concat([s[m], c[m]], 2))); // L175-177
    const sCycle = per((m) => this.encS[m].apply(recon[m])); // L179-181

    // Homogeneous graph-distillation features, L191-210: c_m as [B, T'·d] (time-major). The
    // reference's in-place ReLU also rewrites repr_m_low, so the repr the unit reads is ReLU'd.
    const homo = per((m) => this.homo[m].apply(tf.reshape(c[m], [B, -1]) as tf.Tensor2D, rate, ctx));

    // L216-234: self-attention on each c_m, last step, fused [l; v; a] → logits_c.
    const cAtt = per((m) => this.selfAttn[m].applyLast(c[m], ctx)); // [B, d]
    const cFusion = tf.concat([cAtt.l, cAtt.v, cAtt.a], 1) as tf.Tensor2D; // [B, 3d]
    const headC = this.headC.apply(cFusion, rate, ctx);

    // L238-262: crossmodal transformers on the specific parts, memory transformer, last step [B, 2d].
    const pairOf = (target: Modality, one: Cross, oneSource: Modality, two: Cross, twoSource: Modality): tf.Tensor2D =>
      this.mem[target].applyLast(
        tf.concat([this.cross[one].apply(s[target], ctx, s[oneSource]), this.cross[two].apply(s[target], ctx, s[twoSource])], 2),
        ctx,
      );
    const last: PerModality<tf.Tensor2D> = { l: pairOf('l', 'la', 'a', 'lv', 'v'), a: pairOf('a', 'al', 'l', 'av', 'v'), v: pairOf('v', 'vl', 'l', 'va', 'a') };
    const hetero = per((m) => this.hetero[m].apply(last[m], rate, ctx)); // L264-278

    // L280-290: sigmoid gates, [l; v; a; c] (9d), residual MLP, out_layer.
    const gated = tf.concat([...MODALITIES.map((m) => tf.sigmoid(this.gate[m].apply(last[m]))), tf.sigmoid(this.gateC.apply(cFusion))], 1) as tf.Tensor2D;
    const out = this.headOut.apply(gated, rate, ctx);
    return {
      origin,
      s,
      c,
      recon,
      sCycle,
      cSim,
      logitsHomo: per((m) => homo[m].logits),
      reprHomo: per((m) => homo[m].hidden),
      logitsHetero: per((m) => hetero[m].logits),
      reprHetero: per((m) => hetero[m].proj),
      logitsC: headC.logits,
      fused: out.proj,
      output: out.logits,
    };
  }

  namedVariables(): NamedVariable[] {
    const per = (prefix: string, modules: PerModality<Module | null>): NamedVariable[] =>
      MODALITIES.flatMap((m) => (modules[m] ? scoped(`${prefix}_${m}`, modules[m]) : []));
    return [
      ...per('proj', this.proj),
      ...per('encoder_s', this.encS),
      ...scoped('encoder_c', this.encC),
      ...per('decoder', this.decoder),
      ...per('align_c', this.alignC),
      ...per('self_attentions_c', this.selfAttn),
      ...scoped('head_c', this.headC),
      ...CROSS.flatMap((p) => scoped(`trans_${p[0]}_with_${p[1]}`, this.cross[p])),
      ...per('trans_mem', this.mem),
      ...per('homo', this.homo),
      ...per('hetero', this.hetero),
      ...per('weight', this.gate),
      ...scoped('weight_c', this.gateC),
      ...scoped('head', this.headOut),
    ];
  }
}
