import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { gelu } from './gelu';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';

/** Sizes of the three mixed axes of a [B, L, K, D] tensor: sequence L, modality K, feature D. */
export type Lkd = readonly [l: number, k: number, d: number];

export type MixingActivation = 'gelu' | 'relu';

export interface MlpMixingOptions {
  /** Hidden width of each axis MLP. */
  hidden: Lkd;
  /** Output size of each axis. */
  out: Lkd;
  /** Dropout after each axis MLP (CubeMLP's --dropout_mlp), one rate for all or one per axis. */
  dropout?: number | readonly [number, number, number];
  /** Between the two fc layers; CubeMLP's default is exact GELU. */
  activation?: MixingActivation;
  /** Biases in the axis MLPs (CubeMLP --bias; default true, as in its README command). */
  bias?: boolean;
  /** LayerNorm before each MLP (sized by the input) instead of after the residual sum (sized by the output); CubeMLP --ln_first, default true as in its README command. */
  lnFirst?: boolean;
  /** Residual through a bias-free Linear (CubeMLP --res_project); required when an axis changes size; default true. */
  resProject?: boolean;
  /** LayerNorm epsilon; CubeMLP uses 1e-6. */
  eps?: number;
}

const AXES = ['l', 'k', 'd'] as const;

/** fc → activation → fc → dropout plus the residual, with its LayerNorm, over the LAST axis. */
class AxisMixer implements Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly ln: LayerNorm;
  readonly proj: Linear | null;

  constructor(
    size: number,
    hidden: number,
    out: number,
    private readonly rate: number,
    private readonly activation: MixingActivation,
    bias: boolean,
    private readonly lnFirst: boolean,
    resProject: boolean,
    eps: number,
    rng: Rng,
  ) {
    this.fc1 = new Linear(size, hidden, rng, { bias });
    this.fc2 = new Linear(hidden, out, rng, { bias });
    this.ln = new LayerNorm(lnFirst ? size : out, eps);
    this.proj = resProject ? new Linear(size, out, rng, { bias: false }) : null;
  }

  apply(x: tf.Tensor4D, ctx: ForwardCtx): tf.Tensor4D {
    const residual = this.proj ? this.proj.apply(x) : x;
    const input = this.lnFirst ? this.ln.apply(x) : x;
    const hidden = this.activation === 'relu' ? this.fc1.apply(input, 'relu') : gelu(this.fc1.apply(input));
    const y = tf.add(dropout(this.fc2.apply(hidden), this.rate, ctx), residual) as tf.Tensor4D;
    return this.lnFirst ? y : this.ln.apply(y);
  }

  namedVariables(): NamedVariable[] {
    const out = [...scoped('fc1', this.fc1), ...scoped('fc2', this.fc2), ...scoped('ln', this.ln)];
    return this.proj ? [...out, ...scoped('proj', this.proj)] : out;
  }
}

/**
 * CubeMLP's MLPsBlock (kiva12138/CubeMLP:MLPProcess.py): on x [B, L, K, D], an MLP along the
 * sequence axis L, then along the modality axis K, then along the feature axis D, each with
 * LayerNorm, dropout and a residual connection; the result is [B, L', K', D'] = `out`.
 *
 * Each axis is moved last (one transpose there and one back), mixed, and the LayerNorm also
 * normalises over that axis, as the reference does (ln_first normalises the input along L, not D).
 * Parameters: `l.*`, `k.*`, `d.*`, each with fc1, fc2, ln and (resProject) proj.
 */
export class MlpMixingBlock implements Module {
  readonly axes: Record<(typeof AXES)[number], AxisMixer>;
  readonly outShape: Lkd;

  constructor(
    readonly inShape: Lkd,
    options: MlpMixingOptions,
    rng: Rng,
  ) {
    const resProject = options.resProject ?? true;
    if (!resProject && inShape.some((s, i) => s !== options.out[i])) {
      throw new Error(`MlpMixingBlock: ${inShape.join('-')} → ${options.out.join('-')} changes size, which needs resProject`);
    }
    const rate = options.dropout ?? 0;
    const rates: readonly number[] = typeof rate === 'number' ? [rate, rate, rate] : rate;
    const make = (a: number): AxisMixer =>
      new AxisMixer(
        inShape[a]!,
        options.hidden[a]!,
        options.out[a]!,
        rates[a]!,
        options.activation ?? 'gelu',
        options.bias ?? true,
        options.lnFirst ?? true,
        resProject,
        options.eps ?? 1e-6,
        rng,
      );
    this.axes = { l: make(0), k: make(1), d: make(2) };
    this.outShape = options.out;
  }

  /** x [B, L, K, D] → [B, L', K', D']. */
  apply(x: tf.Tensor4D, ctx: ForwardCtx): tf.Tensor4D {
    if (x.rank !== 4 || x.shape.slice(1).some((s, i) => s !== this.inShape[i])) {
      throw new Error(`MlpMixingBlock: input must be [B, ${this.inShape.join(', ')}], got [${x.shape.join(', ')}]`);
    }
    // along L: [B, L, K, D] → [B, K, D, L] → mix → back
    let h = tf.transpose(this.axes.l.apply(tf.transpose(x, [0, 2, 3, 1]), ctx), [0, 3, 1, 2]);
    // along K: [B, L', K, D] → [B, L', D, K] → mix → back
    h = tf.transpose(this.axes.k.apply(tf.transpose(h, [0, 1, 3, 2]), ctx), [0, 1, 3, 2]);
    return this.axes.d.apply(h, ctx);
  }

  namedVariables(): NamedVariable[] {
    return AXES.flatMap((a) => scoped(a, this.axes[a]));
  }
}

export interface MlpMixingStage {
  hidden: Lkd;
  out: Lkd;
  resProject?: boolean;
}

/** CubeMLP's MLPEncoder: MlpMixingBlocks in sequence, block i's output shape feeding block i + 1. */
export class MlpMixingEncoder implements Module {
  readonly blocks: MlpMixingBlock[];

  constructor(
    inShape: Lkd,
    stages: readonly MlpMixingStage[],
    options: Omit<MlpMixingOptions, 'hidden' | 'out' | 'resProject'>,
    rng: Rng,
  ) {
    if (stages.length === 0) throw new Error('MlpMixingEncoder needs at least one block');
    let shape = inShape;
    this.blocks = stages.map((stage) => {
      const block = new MlpMixingBlock(shape, { ...options, ...stage }, rng);
      shape = stage.out;
      return block;
    });
  }

  get outShape(): Lkd {
    return this.blocks[this.blocks.length - 1]!.outShape;
  }

  apply(x: tf.Tensor4D, ctx: ForwardCtx): tf.Tensor4D {
    return this.blocks.reduce((h, block) => block.apply(h, ctx), x);
  }

  namedVariables(): NamedVariable[] {
    return this.blocks.flatMap((block, i) => scoped(`blocks.${i}`, block));
  }
}

/**
 * CubeMLP's size notation: `L-K-D` triples separated by `=`, e.g. '50-3-128=10-3-32' (its --d_hiddens
 * and --d_outs). Throws on anything else, naming the offending part.
 */
export function parseLkdTriples(spec: string): Lkd[] {
  return spec.split('=').map((part) => {
    const sizes = part.split('-').map((s) => Number(s.trim()));
    if (sizes.length !== 3 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`L-K-D sizes: expected three positive integers like 50-3-128, got '${part}' in '${spec}'`);
    }
    return [sizes[0]!, sizes[1]!, sizes[2]!] as const;
  });
}
