/**
 * Evaluation protocol of spec §5 on the test split: the 7 inter-modality conditions and the intra
 * ratios p = 0.0 … 1.0, with masks keyed by (dataset, split, condition, p, mask seed).
 */
import * as tf from '@tensorflow/tfjs-core';
import { INTER_CONDITIONS, INTRA_RATIOS, MISSING_CONDITIONS, type InterCondition } from '../../../src-shared/domain';
import { emotionMetrics, regressionMetrics } from '../../../src-shared/metrics';
import type { MetricRecord } from '../../../src-shared/models';
import { combinedMasks, interMasks, intraMasks, type ModalityMasks } from '../data/masks';
import type { Inputs, MethodInstance } from '../methods/method';
import { outputWidth } from '../methods/task-loss';
import type { DatasetData } from '../types';
import { tuneWasmKernels } from '../nn/wasm-kernels';
import { outputsOf } from './batches';

export interface ConditionResult {
  protocol: 'inter' | 'intra';
  condition: string;
  metrics: MetricRecord | Record<string, MetricRecord>;
  predictions: Float32Array;
  width: number;
}

export interface RepresentationResult {
  condition: string;
  values: Float32Array;
  width: number;
}

const EVAL_BATCH = 256;

/** The model's outputs on the test split under one set of evaluation masks. */
function runModel(data: DatasetData, masks: ModalityMasks, fn: (x: Inputs) => tf.Tensor2D): Promise<{ values: Float32Array; width: number }> {
  return outputsOf(data, data.test, EVAL_BATCH, fn, masks);
}

function metricsOf(data: DatasetData, predictions: Float32Array): MetricRecord | Record<string, MetricRecord> {
  if (data.task === 'regression') return { ...regressionMetrics(predictions, data.test.y) };
  const rows = (a: Float32Array, w: number): Float32Array[] => Array.from({ length: data.test.n }, (_, i) => a.subarray(i * w, (i + 1) * w));
  const perEmotion = emotionMetrics(rows(predictions, outputWidth(data.task, data.labelDim)), rows(data.test.y, data.labelDim));
  return Object.fromEntries(Object.entries(perEmotion).map(([k, v]) => [k, { ...v }]));
}

/** Mean of the six missing conditions' metrics: the paper's "Avg." column. */
function averageOf(results: ConditionResult[]): MetricRecord | Record<string, MetricRecord> {
  const missing = results.filter((r) => (MISSING_CONDITIONS as readonly string[]).includes(r.condition));
  const avg = (get: (m: ConditionResult['metrics']) => MetricRecord): MetricRecord => {
    const out: MetricRecord = {};
    for (const r of missing) for (const [k, v] of Object.entries(get(r.metrics))) out[k] = (out[k] ?? 0) + v / missing.length;
    return out;
  };
  const first = missing[0]!.metrics;
  if (Object.values(first).every((v) => typeof v === 'number')) return avg((m) => m as MetricRecord);
  return Object.fromEntries(Object.keys(first).map((e) => [e, avg((m) => (m as Record<string, MetricRecord>)[e]!)]));
}

export interface EvaluationOutput {
  results: ConditionResult[];
  representations: RepresentationResult[];
  /** The teacher's metrics under the complete condition, for methods that have one. */
  teacher: MetricRecord | Record<string, MetricRecord> | null;
}

export async function evaluate(instance: MethodInstance, data: DatasetData, maskSeed: number): Promise<EvaluationOutput> {
  tuneWasmKernels();
  const { n } = data.test;
  const T = data.T;
  const results: ConditionResult[] = [];
  for (const condition of INTER_CONDITIONS) {
    const { values, width } = await runModel(data, interMasks(condition, n, T), (x) => instance.predict(x));
    results.push({ protocol: 'inter', condition, metrics: metricsOf(data, values), predictions: values, width });
  }
  results.push({ protocol: 'inter', condition: 'avg', metrics: averageOf(results), predictions: new Float32Array(0), width: 0 });
  for (const p of INTRA_RATIOS) {
    const masks = intraMasks({ dataset: data.name, split: 'test', p, maskSeed }, n, T);
    const { values, width } = await runModel(data, masks, (x) => instance.predict(x));
    results.push({ protocol: 'intra', condition: p.toFixed(1), metrics: metricsOf(data, values), predictions: values, width });
  }
  const representationSettings: [string, ModalityMasks][] = [
    ['l,a,v', interMasks('l,a,v', n, T)],
    ['l', interMasks('l' as InterCondition, n, T)],
    ['p=0.5+l', combinedMasks('l', { dataset: data.name, split: 'test', p: 0.5, maskSeed }, n, T)],
  ];
  const representations: RepresentationResult[] = [];
  for (const [condition, masks] of representationSettings) representations.push({ condition, ...(await runModel(data, masks, (x) => instance.represent(x))) });
  const teacher = instance.predictTeacher
    ? metricsOf(data, (await runModel(data, interMasks('l,a,v', n, T), (x) => instance.predictTeacher!(x))).values)
    : null;
  return { results, representations, teacher };
}
