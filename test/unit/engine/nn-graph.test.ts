import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kMeans, lloydKMeans } from '../../../src-main/engine/cluster';
import {
  Adam,
  EVAL,
  GraphConv,
  MlpMixingBlock,
  MlpMixingEncoder,
  RelationalGraphConv,
  cosineEmbeddingLoss,
  cosineSimilarity,
  dmdHingeLoss,
  gelu,
  parseLkdTriples,
  temporalWindowGraph,
  trainCtx,
  tuneWasmKernels,
  variablesOf,
  type Lkd,
  type Module,
} from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import { BACKENDS, useBackend } from './helpers/backends';
import { expectClose, loadParams, toTensor, type JsonParams, type JsonTensor } from './helpers/fixtures';

interface Graded {
  x: JsonTensor;
  params: JsonParams;
  y: JsonTensor;
  r: JsonTensor;
  dx: JsonTensor;
  dparams: JsonParams;
}

interface MixingCase extends Graded {
  in: number[];
  hidden: number[];
  out: number[];
  bias: boolean;
  lnFirst: boolean;
  resProject: boolean;
}

interface LloydCase {
  name: string;
  init: JsonTensor;
  centres: JsonTensor;
  labels: number[];
  inertia: number;
  iterations: number;
}

interface Fixtures {
  rgcn: Graded & { adjacency: JsonTensor };
  graphConv: Graded & { adjacency: JsonTensor };
  gcnetGraph: {
    T: number;
    windowPast: number;
    windowFuture: number;
    valid: JsonTensor;
    relational: JsonTensor;
    x: JsonTensor;
    rgcn: JsonParams;
    graphConv: JsonParams;
    y: JsonTensor;
    r: JsonTensor;
    dx: JsonTensor;
    drgcn: JsonParams;
    dgraphConv: JsonParams;
  };
  gelu: { x: JsonTensor; y: JsonTensor; dx: JsonTensor };
  mixing: MixingCase[];
  cosine: { a: JsonTensor; b: JsonTensor; axis: number; y: JsonTensor; r: JsonTensor; da: JsonTensor; db: JsonTensor };
  cosineEmbedding: { a: JsonTensor; b: JsonTensor; target: number[]; margin: number; loss: number; da: JsonTensor; db: JsonTensor }[];
  hinge: { ids: number[]; feats: JsonTensor; loss: number; dfeats: JsonTensor }[];
  kmeans: {
    lloyd: { n: number; d: number; k: number; x: JsonTensor; cases: LloydCase[] };
    default: { n: number; d: number; k: number; x: JsonTensor; inertia: number };
  };
}

// Made by test/fixtures/nn/gen_nn_graph.py (PyTorch, PyG's formulas written out, scikit-learn).
const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/nn/nn_graph_fixtures.json', import.meta.url)), 'utf8'),
) as Fixtures;

/** Loads c.params, compares the value, input gradient and every parameter gradient of sum(f(x)·r), disposes. */
function gradeModule(module: Module, f: (x: tf.Tensor) => tf.Tensor, c: Graded): void {
  loadParams(module, c.params);
  tf.tidy(() => {
    const x = toTensor(c.x);
    const r = toTensor(c.r);
    expectClose(f(x), c.y);
    expectClose(tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), r)))(x), c.dx);
    const named = module.namedVariables();
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x), r)), named.map(([, v]) => v));
    expect(Object.keys(c.dparams).sort()).toEqual(named.map(([n]) => n).sort());
    for (const [name, v] of named) expectClose(grads[v.name]!, c.dparams[name]!);
  });
  disposeAll(module);
}

function disposeAll(...modules: Module[]): void {
  for (const m of modules) m.namedVariables().forEach(([, v]) => v.dispose());
}

function mixingFor(c: MixingCase, rng = createRng(3)): MlpMixingBlock {
  const triple = (t: number[]): Lkd => [t[0]!, t[1]!, t[2]!];
  return new MlpMixingBlock(
    triple(c.in),
    { hidden: triple(c.hidden), out: triple(c.out), bias: c.bias, lnFirst: c.lnFirst, resProject: c.resProject, dropout: 0.1 },
    rng,
  );
}

describe.each(BACKENDS)('graph, mixing and similarity blocks match PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it('RelationalGraphConv = PyG RGCNConv (mean per relation, root, bias; duplicate edge, isolated node)', () => {
    const c = fx.rgcn;
    const conv = new RelationalGraphConv(c.x.shape[2]!, c.y.shape[2]!, c.adjacency.shape[1]!, createRng(1));
    gradeModule(conv, (x) => conv.apply(x as tf.Tensor3D, toTensor(c.adjacency) as tf.Tensor4D), c);
  });

  it('RelationalGraphConv without root weight and bias: the relation means alone', () => {
    const c = fx.rgcn;
    const conv = new RelationalGraphConv(c.x.shape[2]!, c.y.shape[2]!, c.adjacency.shape[1]!, createRng(1), {
      rootWeight: false,
      bias: false,
    });
    expect(conv.namedVariables().map(([n]) => n)).toEqual(['weight']);
    tf.tidy(() => {
      conv.weight.assign(toTensor(c.params.weight!));
      const x = toTensor(c.x);
      // PyG's output minus its root term and bias
      const rootTerm = tf.add(tf.matMul(tf.reshape(x, [-1, c.x.shape[2]!]), toTensor(c.params.root!)), toTensor(c.params.bias!));
      const want = tf.sub(toTensor(c.y), tf.reshape(rootTerm, c.y.shape));
      expectClose(conv.apply(x as tf.Tensor3D, toTensor(c.adjacency) as tf.Tensor4D), { shape: c.y.shape, data: Array.from(want.dataSync()) });
    });
    disposeAll(conv);
  });

  it('GraphConv = PyG GraphConv (add aggregation, edge weights e_ji, root and rel weights)', () => {
    const c = fx.graphConv;
    const conv = new GraphConv(c.x.shape[2]!, c.y.shape[2]!, createRng(2));
    gradeModule(conv, (x) => conv.apply(x as tf.Tensor3D, toTensor(c.adjacency) as tf.Tensor3D), c);
  });

  it("GCNet's temporal window graph (front-padded, asymmetric windows) feeding RGCNConv → GraphConv", () => {
    const c = fx.gcnetGraph;
    const [batch, nodes] = c.valid.shape as [number, number];
    const rgcn = new RelationalGraphConv(c.x.shape[2]!, c.y.shape[2]!, 3, createRng(3));
    const conv = new GraphConv(c.y.shape[2]!, c.y.shape[2]!, createRng(4));
    loadParams(rgcn, c.rgcn);
    loadParams(conv, c.graphConv);
    tf.tidy(() => {
      const graph = temporalWindowGraph(c.valid.data, batch, nodes, { past: c.windowPast, future: c.windowFuture });
      expectClose(graph.relational, c.relational, 0);
      expectClose(graph.union, { shape: [batch, nodes, nodes], data: Array.from(tf.sum(toTensor(c.relational), 1).dataSync()) }, 0);
      const valid = tf.reshape(toTensor(c.valid), [batch, nodes, 1]);
      const f = (x: tf.Tensor): tf.Tensor => conv.apply(rgcn.apply(x as tf.Tensor3D, graph.relational), graph.union);
      const x = toTensor(c.x);
      const r = tf.mul(toTensor(c.r), valid);
      // Padding nodes have no edges; their outputs are not part of GCNet's graph, so compare real nodes.
      expectClose(tf.mul(f(x), valid), { shape: c.y.shape, data: Array.from(tf.mul(toTensor(c.y), valid).dataSync()) });
      expectClose(tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), r)))(x), c.dx);
      const vars = [...rgcn.namedVariables(), ...conv.namedVariables()];
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x), r)), vars.map(([, v]) => v));
      for (const [name, v] of rgcn.namedVariables()) expectClose(grads[v.name]!, c.drgcn[name]!);
      for (const [name, v] of conv.namedVariables()) expectClose(grads[v.name]!, c.dgraphConv[name]!);
    });
    disposeAll(rgcn, conv);
  });

  it('temporal window graph: windows, padding and input checks', () => {
    tf.tidy(() => {
      // One sample, 4 nodes, the first one padding. With window future 1 and past 0 every node sends to
      // itself and to the next node, which hears its predecessor as 'past'; nobody hears a 'future'.
      const g = temporalWindowGraph([0, 1, 1, 1], 1, 4, { past: 0, future: 1 });
      const [past, self, future] = g.relational.arraySync()[0]!;
      expect(self).toEqual([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
      expect(past).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
      expect(future).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
      const all = temporalWindowGraph([1, 1, 1], 1, 3, { past: Infinity, future: Infinity });
      expect(all.union.arraySync()[0]).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    });
    expect(() => temporalWindowGraph([1, 1], 1, 3, { past: 1, future: 1 })).toThrow(/B·N/);
    expect(() => temporalWindowGraph([1, 1, 1], 1, 3, { past: -1, future: 1 })).toThrow(/past/);
  });

  it('graph layers reject mis-shaped inputs with the expected shape', () => {
    const conv = new RelationalGraphConv(4, 3, 3, createRng(5));
    tf.tidy(() => {
      expect(() => conv.apply(tf.zeros([2, 5, 3]), tf.zeros([2, 3, 5, 5]))).toThrow(/\[B, N, 4\]/);
      expect(() => conv.apply(tf.zeros([2, 5, 4]), tf.zeros([2, 2, 5, 5]))).toThrow(/\[2, 3, 5, 5\]/);
    });
    disposeAll(conv);
  });

  it('exact GELU and its gradient; the Erf gradient registered for autodiff', () => {
    const c = fx.gelu;
    tf.tidy(() => {
      const x = toTensor(c.x);
      expectClose(gelu(x), c.y);
      expectClose(tf.grad((xi: tf.Tensor) => tf.sum(gelu(xi)))(x), c.dx);
      // the same through plain ops and the registered Erf/other gradients
      const plain = (xi: tf.Tensor): tf.Tensor => tf.mul(tf.mul(xi, 0.5), tf.add(tf.erf(tf.mul(xi, Math.SQRT1_2)), 1));
      expectClose(tf.grad((xi: tf.Tensor) => tf.sum(plain(xi)))(x), c.dx);
    });
  });

  it.each([0, 1, 2])('MlpMixingBlock = CubeMLP MLPsBlock, case %i: output, input and parameter gradients', (i) => {
    const c = fx.mixing[i]!;
    const block = mixingFor(c);
    gradeModule(block, (x) => block.apply(x as tf.Tensor4D, EVAL), c);
  });

  it('MlpMixingBlock dropout is seeded and only active in training', () => {
    const block = mixingFor(fx.mixing[0]!);
    tf.tidy(() => {
      const x = toTensor(fx.mixing[0]!.x) as tf.Tensor4D;
      const a = block.apply(x, trainCtx(createRng(8))).dataSync();
      expect(Array.from(block.apply(x, trainCtx(createRng(8))).dataSync())).toEqual(Array.from(a));
      expect(Array.from(block.apply(x, EVAL).dataSync())).not.toEqual(Array.from(a));
    });
    disposeAll(block);
  });

  it('MlpMixingEncoder chains blocks from L-K-D triples', () => {
    const sizes = parseLkdTriples('6-3-8=4-3-5');
    expect(sizes).toEqual([
      [6, 3, 8],
      [4, 3, 5],
    ]);
    expect(() => parseLkdTriples('50-3=10-3-32')).toThrow(/'50-3'/);
    const encoder = new MlpMixingEncoder([5, 3, 4], sizes.map((s) => ({ hidden: s, out: s })), { dropout: 0.1 }, createRng(6));
    expect(encoder.outShape).toEqual([4, 3, 5]);
    expect(encoder.namedVariables().map(([n]) => n)).toContain('blocks.1.k.proj.weight');
    tf.tidy(() => {
      expect(encoder.apply(tf.ones([2, 5, 3, 4]), EVAL).shape).toEqual([2, 4, 3, 5]);
    });
    expect(() => new MlpMixingBlock([5, 3, 4], { hidden: [5, 3, 4], out: [4, 3, 4], resProject: false }, createRng(7))).toThrow(
      /resProject/,
    );
    disposeAll(encoder);
  });

  it('cosine similarity along an axis = F.cosine_similarity (value and gradients)', () => {
    const c = fx.cosine;
    tf.tidy(() => {
      const a = toTensor(c.a);
      const b = toTensor(c.b);
      const r = toTensor(c.r);
      expectClose(cosineSimilarity(a, b, c.axis), c.y);
      const [da, db] = tf.grads((ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(cosineSimilarity(ai, bi, c.axis), r)))([a, b]);
      expectClose(da!, c.da);
      expectClose(db!, c.db);
      // an all-zero row (a missing modality) gives cosine 0 and finite gradients
      const zero = tf.concat([tf.zeros([1, 4]), tf.ones([1, 4])]);
      const g = tf.grad((zi: tf.Tensor) => tf.sum(cosineSimilarity(zi, tf.ones([2, 4]))))(zero);
      expect(Array.from(cosineSimilarity(zero, tf.ones([2, 4])).dataSync())).toEqual([0, 1]);
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    });
  });

  it.each([0, 1, 2, 3])('CosineEmbeddingLoss case %i = nn.CosineEmbeddingLoss', (i) => {
    const c = fx.cosineEmbedding[i]!;
    tf.tidy(() => {
      const a = toTensor(c.a) as tf.Tensor2D;
      const b = toTensor(c.b) as tf.Tensor2D;
      const uniform = c.target.every((t) => t === c.target[0]);
      const target = (): number | tf.Tensor1D => (uniform ? c.target[0]! : tf.tensor1d(c.target));
      expectClose(cosineEmbeddingLoss(a, b, target(), c.margin), c.loss);
      expectClose(cosineEmbeddingLoss(a, b, tf.tensor1d(c.target), c.margin), c.loss);
      const [da, db] = tf.grads((ai: tf.Tensor, bi: tf.Tensor) =>
        cosineEmbeddingLoss(ai as tf.Tensor2D, bi as tf.Tensor2D, target(), c.margin),
      )([a, b]);
      expectClose(da!, c.da);
      expectClose(db!, c.db);
    });
  });

  it('cosineEmbeddingLoss rejects targets other than ±1 and mis-shaped inputs', () => {
    tf.tidy(() => {
      expect(() => cosineEmbeddingLoss(tf.ones([2, 3]), tf.ones([2, 3]), 0)).toThrow(/1 or -1/);
      expect(() => cosineEmbeddingLoss(tf.ones([2, 3]), tf.ones([2, 4]), 1)).toThrow(/shape/);
    });
  });

  it.each([0, 1, 2])("DMD's HingeLoss case %i: value and gradient (one block and anchor blocks)", (i) => {
    const c = fx.hinge[i]!;
    tf.tidy(() => {
      const feats = toTensor(c.feats) as tf.Tensor2D;
      expectClose(dmdHingeLoss(c.ids, feats), c.loss);
      expectClose(tf.grad((f: tf.Tensor) => dmdHingeLoss(c.ids, f as tf.Tensor2D))(feats), c.dfeats);
      // rows in another order (DMD interleaves modalities; the loss does not depend on it)
      const reversed = [...c.ids.keys()].reverse();
      const featsReversed = tf.gather(feats, tf.tensor1d(reversed, 'int32')) as tf.Tensor2D;
      expectClose(dmdHingeLoss(reversed.map((i) => c.ids[i]!), featsReversed), c.loss);
    });
  });
});

describe('DMD HingeLoss in blocks of pairs', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('class labels split over several blocks: the same loss and gradient as one block and as the definition', () => {
    tf.tidy(() => {
      const m = 60;
      const rng = createRng(21);
      const labelValues = Array.from({ length: m }, () => Math.floor(rng.next() * 3) / 2);
      const feats = tf.tensor2d(Float32Array.from({ length: m * 3 }, () => rng.normal()), [m, 3]);
      const lossOf = (block?: number) => (f: tf.Tensor) => dmdHingeLoss(labelValues, f as tf.Tensor2D, block);
      // ~m²/3 = 1200 (anchor, similar) pairs of m terms: blocks of 16 pairs
      const loss = lossOf(1000)(feats).dataSync()[0]!;
      expectClose(lossOf()(feats), loss);
      const dOne = tf.grad(lossOf())(feats);
      expectClose(tf.grad(lossOf(1000))(feats), { shape: [m, 3], data: Array.from(dOne.dataSync()) });
      // reference: the definition, in float64 on the host
      const f = feats.arraySync();
      const unit = f.map((row) => {
        const n = Math.sqrt(row.reduce((s, v) => s + v * v, 0) + 1e-8);
        return row.map((v) => v / n);
      });
      const cos = (i: number, j: number): number => unit[i]!.reduce((s, v, c) => s + v * unit[j]![c]!, 0);
      let total = 0;
      let counted = 0;
      for (let i = 0; i < m; i += 1) {
        const sim: number[] = [];
        const dif: number[] = [];
        for (let j = 0; j < m; j++) if (j !== i) (labelValues[j] === labelValues[i] ? sim : dif).push(j);
        if (sim.length === 0 || dif.length === 0) continue;
        let s = 0;
        for (const j of sim) {
          for (const k of dif) s += Math.max(0, 0.15 * Math.abs(labelValues[i]! - labelValues[k]!) - cos(i, j) + cos(i, k));
        }
        total += s / (sim.length * dif.length);
        counted++;
      }
      expect(Math.abs(loss - total / counted)).toBeLessThan(1e-5 * Math.max(1, total / counted));
    });
  });
});

describe('K-means matches scikit-learn', () => {
  const lloydFx = fx.kmeans.lloyd;

  it.each(lloydFx.cases.map((c) => [c.name, c] as const))(
    'Lloyd from given centres (%s) = KMeans(init=centres, n_init=1): centres, labels, inertia, iterations',
    (_name, c) => {
      const result = lloydKMeans(Float32Array.from(lloydFx.x.data), lloydFx.d, Float32Array.from(c.init.data));
      expect(Array.from(result.labels)).toEqual(c.labels);
      expect(result.iterations).toBe(c.iterations);
      expect(Math.abs(result.inertia - c.inertia)).toBeLessThan(1e-9 * c.inertia);
      const worst = Math.max(...Array.from(result.centres, (v, i) => Math.abs(v - c.centres.data[i]!)));
      expect(worst).toBeLessThan(1e-5);
    },
  );

  it("seeded k-means++ with 10 restarts reaches sklearn's default inertia (KMeans(10, random_state=0))", () => {
    const d = fx.kmeans.default;
    const data = Float32Array.from(d.x.data);
    for (const seed of [0, 1, 2]) {
      const result = kMeans(data, d.d, { k: d.k, rng: createRng(seed) });
      expect(result.inertia, `seed ${seed}`).toBeLessThan(d.inertia * (1 + 1e-3));
      expect(new Set(result.labels).size).toBe(d.k);
    }
    const again = kMeans(data, d.d, { k: d.k, rng: createRng(0) });
    expect(Array.from(again.centres)).toEqual(Array.from(kMeans(data, d.d, { k: d.k, rng: createRng(0) }).centres));
  });

  it('rejects bad input with a clear message', () => {
    const rng = createRng(1);
    expect(() => kMeans(new Float32Array(7), 2, { k: 2, rng })).toThrow(/rows of 2/);
    expect(() => kMeans(new Float32Array(4), 2, { k: 3, rng })).toThrow(/k ≤ number of points \(2\)/);
    expect(() => kMeans(Float32Array.from([0, NaN, 1, 1]), 2, { k: 1, rng })).toThrow(/point 0/);
  });
});

describe.each(BACKENDS)('a training step over the new blocks keeps tensor counts stable on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it('RGCN → GraphConv → mixing block → cosine/hinge losses with Adam', () => {
    const rng = createRng(40);
    const [B, T, K, D] = [3, 6, 3, 4];
    const rgcn = new RelationalGraphConv(D * K, D * K, 3, rng);
    const conv = new GraphConv(D * K, D * K, rng);
    const block = new MlpMixingBlock([T, K, D], { hidden: [5, 4, 6], out: [4, 2, 3], dropout: 0.2 }, rng);
    const params = variablesOf(rgcn, conv, block);
    const adam = new Adam(params, { lr: 1e-2 });
    const valid = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1];
    const graph = temporalWindowGraph(valid, B, T, { past: 2, future: 2 });
    const x = tf.randomNormal([B, T, K * D], 0, 1, 'float32', 41) as tf.Tensor3D;
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      const stepRng = createRng(100 + step);
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const h = conv.apply(rgcn.apply(x, graph.relational), graph.union); // [B, T, K·D]
          const mixed = block.apply(tf.reshape(h, [B, T, K, D]), trainCtx(stepRng)); // [B, 4, 2, 3]
          const rows = tf.reshape(tf.mean(mixed, 1), [B * 2, 3]) as tf.Tensor2D;
          const [first, second] = tf.split(tf.reshape(tf.mean(mixed, 1), [B, 2, 3]), 2, 1) as [tf.Tensor, tf.Tensor];
          const ort = cosineEmbeddingLoss(tf.reshape(first, [B, 3]), tf.reshape(second, [B, 3]), -1);
          const hinge = dmdHingeLoss([0.5, 0.5, -1, -1, 0.5, 0.5], rows);
          const sim = tf.mean(cosineSimilarity(first, second));
          return tf.addN([ort, hinge, sim, tf.mean(tf.square(gelu(rows)))]) as tf.Scalar;
        }, params);
        adam.apply(params.map((p) => grads[p.name]!));
        return value.dataSync()[0]!;
      });
      losses.push(loss);
      counts.push(tf.memory().numTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(counts[3]).toBe(counts[1]);
    expect(counts[2]).toBe(counts[1]);
    adam.dispose();
    tf.dispose([x, graph.relational, graph.union]);
    disposeAll(rgcn, conv, block);
  });
});
