/**
 * The scenario builder's preview: one test sample before and after masking. It uses the engine's
 * own mask functions and key scheme, so the "after" picture is exactly what the evaluation feeds
 * the model for that sample, not a look-alike drawn in the UI.
 */
import type { ParsedInput } from '../../src-shared/contract';
import { MODALITIES, type InterCondition, type Modality } from '../../src-shared/domain';
import type { MaskedSample, SampleMatrix, ScenarioPreview } from '../../src-shared/models';
import { combinedMasks, type ModalityMasks } from '../engine/data/masks';
import { drawMsmMasks, subsetBitmasks, type MsmOptions } from '../engine/data/msm';
import { createRng } from '../engine/random';
import { readSampleBlocks, toMatrix, type RawBlocks } from './dataset-sample';

/** Stream key of the preview's MSM draw: its own, so it never aliases a run's training stream. */
function msmKey(dataset: string, index: number, seed: number): string {
  return `scenario-preview|${dataset}|${index}|${seed}`;
}

function masked(raw: RawBlocks, original: Record<Modality, SampleMatrix>, mask: (m: Modality) => Float32Array): MaskedSample {
  const out: MaskedSample = { modalities: {} as Record<Modality, SampleMatrix>, keptFrames: { l: 0, a: 0, v: 0 }, validFrames: { l: 0, a: 0, v: 0 } };
  for (const m of MODALITIES) {
    const d = raw.dims[m];
    const x = Float32Array.from(raw.blocks[m]);
    const frames = mask(m);
    const padding = original[m].paddingSteps;
    for (let t = 0; t < raw.T; t++) {
      if (frames[t] === 0) x.fill(0, t * d, (t + 1) * d);
      else if (t >= padding) out.keptFrames[m]++;
    }
    out.validFrames[m] = raw.T - padding;
    const o = original[m];
    // The original's colour range, so dropped frames read as "zeroed", not as a rescaled picture.
    out.modalities[m] = { ...toMatrix(x, raw.T, d), lo: o.lo, hi: o.hi, min: o.min, max: o.max, paddingSteps: o.paddingSteps };
  }
  return out;
}

/** Row `index` of a [n, T] mask. */
function row(masks: ModalityMasks, m: Modality, index: number, T: number): Float32Array {
  return masks[m].subarray(index * T, (index + 1) * T);
}

export function previewScenario(path: string, input: ParsedInput<'scenarios.preview'>): ScenarioPreview {
  const raw = readSampleBlocks(path, 'test', input.index);
  const original = {} as Record<Modality, SampleMatrix>;
  for (const m of MODALITIES) original[m] = toMatrix(raw.blocks[m], raw.T, raw.dims[m]);
  const maskSeed = input.spec.evaluation.maskSeed;

  // The engine draws intra masks for the whole test split in one stream (evaluate.ts), so the
  // sample's row depends on n: draw them all, as the evaluation does, and take the row.
  const evalMasks = combinedMasks(input.condition, { dataset: raw.name, split: 'test', p: input.p, maskSeed }, raw.n, raw.T);
  const evaluation = masked(raw, original, (m) => row(evalMasks, m, input.index, raw.T));

  const msm = input.spec.training.msm;
  const options: MsmOptions = { subsets: subsetBitmasks(msm.subsets.join(';')), maxDrop: msm.maxDropRatio };
  const key = msmKey(raw.name, input.index, input.msmSeed);
  const trainMasks = drawMsmMasks(1, raw.T, createRng(key), options);
  // Replay the draw's first two numbers (subset, then p: engine/data/msm.ts's order) to say what was drawn.
  const replay = createRng(key);
  const bits = options.subsets[replay.int(options.subsets.length)]!;
  const p = replay.next() * options.maxDrop;
  const subset = MODALITIES.filter((_, k) => (bits & (1 << k)) !== 0).join(',') as InterCondition;
  const training = masked(raw, original, (m) => trainMasks[m]);

  return {
    dataset: input.dataset,
    split: 'test',
    index: input.index,
    n: raw.n,
    sampleId: raw.sampleId,
    label: raw.label,
    original,
    evaluation: { ...evaluation, condition: input.condition, p: input.p, maskSeed },
    training: { ...training, subset, p, msmSeed: input.msmSeed },
  };
}
