import { IEMOCAP_EMOTIONS, type DatasetKind, type Emotion } from '../../../../src-shared/domain';
import type { Extractor, Tensor } from './extract';
import type { ClassificationLabelReport, LabelReport, RegressionLabelReport } from './report';

/** numpy's rounding (half to even), which defines the Acc-7 classes in every public evaluation. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Float labels are stored as float32; allow that much slack at ±3. */
const RANGE_SLACK = 1e-5;

export interface Labels {
  y: Float32Array;
  labelDim: number;
  report: LabelReport;
}

export function buildLabels(t: Tensor, kind: DatasetKind, keyPath: string, x: Extractor): Labels {
  return kind === 'iemocap' ? emotions(t, keyPath, x) : sentiment(t, keyPath, x);
}

function sentiment(t: Tensor, keyPath: string, x: Extractor): Labels {
  const n = t.shape[0] as number;
  const y = Float32Array.from(t.data);
  const classCounts = [0, 0, 0, 0, 0, 0, 0];
  const r: RegressionLabelReport = {
    task: 'regression',
    key: keyPath,
    sourceShape: t.shape,
    min: Infinity,
    max: -Infinity,
    mean: 0,
    negative: 0,
    zero: 0,
    positive: 0,
    halfPoints: 0,
    classCounts,
  };
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] as number;
    if (!(Math.abs(v) <= 3 + RANGE_SLACK)) {
      throw x.fail('labels', keyPath, `label ${v} of sample ${i} is outside [-3, 3]; expected sentiment scores in [-3, 3]`);
    }
    sum += v;
    r.min = Math.min(r.min, v);
    r.max = Math.max(r.max, v);
    if (v < 0) r.negative++;
    else if (v > 0) r.positive++;
    else r.zero++;
    if (Math.abs(v % 1) === 0.5) r.halfPoints++;
    const c = roundHalfEven(Math.max(-3, Math.min(3, v))) + 3;
    classCounts[c] = (classCounts[c] ?? 0) + 1;
  }
  r.mean = n > 0 ? sum / n : 0;
  if (n === 0) {
    r.min = 0;
    r.max = 0;
  }
  return { y, labelDim: 1, report: r };
}

/**
 * MulT's IEMOCAP labels are [N, 4, 2]: (absent, present) per emotion; MulT takes argmax over the
 * last axis, so "present" wins only when strictly larger. [N, 4] 0/1 labels are accepted as is.
 */
function emotions(t: Tensor, keyPath: string, x: Extractor): Labels {
  const n = t.shape[0] as number;
  const pairs = t.shape.length === 3;
  const y = new Float32Array(n * 4);
  const positives = Object.fromEntries(IEMOCAP_EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  const perSample: Record<string, number> = { '0': 0, '1': 0, '2+': 0 };
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let e = 0; e < 4; e++) {
      const k = i * 4 + e;
      let present: boolean;
      if (pairs) {
        const absent = t.data[2 * k] as number;
        const pres = t.data[2 * k + 1] as number;
        if (!Number.isFinite(absent) || !Number.isFinite(pres)) {
          throw x.fail('labels', keyPath, `sample ${i} has a non-finite value; expected (absent, present) pairs`);
        }
        present = pres > absent;
      } else {
        const v = t.data[k] as number;
        if (v !== 0 && v !== 1) throw x.fail('labels', keyPath, `value ${v} of sample ${i} is not 0 or 1; expected emotion indicators`);
        present = v === 1;
      }
      y[k] = present ? 1 : 0;
      if (present) {
        count++;
        const name = IEMOCAP_EMOTIONS[e] as Emotion;
        positives[name]++;
      }
    }
    const key = count >= 2 ? '2+' : String(count);
    perSample[key] = (perSample[key] ?? 0) + 1;
  }
  const report: ClassificationLabelReport = { task: 'classification', key: keyPath, sourceShape: t.shape, positives, positivesPerSample: perSample };
  return { y, labelDim: 4, report };
}
