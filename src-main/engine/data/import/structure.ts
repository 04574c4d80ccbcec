import { MODALITIES, SPLITS, type DatasetKind, type Modality } from '../../../../src-shared/domain';
import type { Extractor, Tensor } from './extract';
import type { RawDataset } from './layouts';

/**
 * Shape checks shared by every layout: each modality [N, T, D]; one N per split; one T for the
 * three modalities (word-aligned data); T and D equal across splits. Then the dataset kind.
 */
export interface Geometry {
  T: number;
  dims: [number, number, number];
}

function dimsOf(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/**
 * Bounds no dataset comes near (aligned MOSI/MOSEI/IEMOCAP: T = 50, D ≤ 768; unaligned files and
 * long clips stay in the hundreds of steps): a shape beyond them is a broken or forged file, and
 * training on it would fail far from the cause.
 */
export const MAX_T = 10_000;
export const MAX_D = 100_000;

const fmt = (n: number): string => n.toLocaleString('en-US');

export function checkGeometry(raw: RawDataset, x: Extractor): Geometry {
  const ref = raw.splits.train;
  for (const split of SPLITS) {
    const s = raw.splits[split];
    const at = (m: Modality | 'labels'): string => `${s.splitKey}.${s.keys[m]}`;
    for (const m of MODALITIES) {
      if (s[m].shape.length !== 3) {
        throw x.fail('shape', at(m), `has shape ${dimsOf(s[m])}; expected [N, T, D] (samples, time steps, features)`);
      }
    }
    for (const m of MODALITIES) {
      const [, t, d] = s[m].shape as [number, number, number];
      if (t < 1 || t > MAX_T) throw x.fail('shape', at(m), `has ${fmt(t)} time steps (shape ${dimsOf(s[m])}); expected 1 to ${fmt(MAX_T)}`);
      if (d < 1 || d > MAX_D) throw x.fail('shape', at(m), `has ${fmt(d)} features per step (shape ${dimsOf(s[m])}); expected 1 to ${fmt(MAX_D)}`);
    }
    const n = s.l.shape[0] as number;
    if (n === 0) {
      throw x.fail('empty-split', s.splitKey, `has 0 samples (${at('l')} has shape ${dimsOf(s.l)}); every split (train, valid, test) needs at least one sample`);
    }
    for (const k of ['a', 'v', 'labels'] as const) {
      const nk = s[k].shape[0];
      if (nk !== n) throw x.fail('shape', at(k), `has ${nk} samples but ${at('l')} has ${n}; expected one entry per sample`);
    }
    const tl = s.l.shape[1] as number;
    for (const m of ['a', 'v'] as const) {
      const tm = s[m].shape[1] as number;
      if (tm !== tl) {
        throw x.fail(
          'unaligned',
          at(m),
          `has ${tm} time steps but ${at('l')} has ${tl}: this is an unaligned file (e.g. *_noalign.pkl or unaligned_50.pkl). The workbench, like the HRLF paper, uses word-aligned data with one T for all modalities; import the aligned file (mosi_data.pkl, aligned_50.pkl)`,
        );
      }
    }
    if (split === 'train') continue;
    for (const m of MODALITIES) {
      const [, t, d] = s[m].shape;
      const [, tr, dr] = ref[m].shape;
      if (d !== dr) throw x.fail('shape', at(m), `has ${d} features per step but ${ref.splitKey}.${ref.keys[m]} has ${dr}; expected the same D in every split`);
      if (t !== tr) throw x.fail('shape', at(m), `has ${t} time steps but ${ref.splitKey}.${ref.keys[m]} has ${tr}; expected the same T in every split`);
    }
  }
  return {
    T: ref.l.shape[1] as number,
    dims: [ref.l.shape[2] as number, ref.a.shape[2] as number, ref.v.shape[2] as number],
  };
}

export type LabelLayout = 'sentiment' | 'emotions';

/** [N], [N, 1], [N, 1, 1] → sentiment; [N, 4, 2] (MulT) or [N, 4] → IEMOCAP emotions. */
export function labelLayout(shape: readonly number[]): LabelLayout | null {
  const rest = shape.slice(1);
  if (rest.every((d) => d === 1)) return 'sentiment';
  if ((rest.length === 2 && rest[0] === 4 && rest[1] === 2) || (rest.length === 1 && rest[0] === 4)) return 'emotions';
  return null;
}

const SENTIMENT_SHAPE = '[N, 1, 1] or [N] (sentiment in [-3, 3])';
const EMOTION_SHAPE = '[N, 4, 2] (IEMOCAP: one (absent, present) pair per emotion)';

export function detectKind(
  raw: RawDataset,
  geometry: Geometry,
  file: string,
  x: Extractor,
  override?: DatasetKind,
): { kind: DatasetKind; reason: string } {
  let layout: LabelLayout | null = null;
  for (const split of SPLITS) {
    const s = raw.splits[split];
    const at = `${s.splitKey}.${s.keys.labels}`;
    const l = labelLayout(s.labels.shape);
    if (l === null) {
      throw x.fail('label-shape', at, `has shape [${s.labels.shape.join(', ')}]; expected ${SENTIMENT_SHAPE} or ${EMOTION_SHAPE}`);
    }
    if (override === 'iemocap' && l !== 'emotions') {
      throw x.fail('label-shape', at, `has shape [${s.labels.shape.join(', ')}], sentiment labels; IEMOCAP (classification) expects ${EMOTION_SHAPE}`);
    }
    if (override !== undefined && override !== 'iemocap' && l !== 'sentiment') {
      throw x.fail('label-shape', at, `has shape [${s.labels.shape.join(', ')}], emotion labels; ${override.toUpperCase()} (regression) expects ${SENTIMENT_SHAPE}`);
    }
    if (layout !== null && l !== layout) throw x.fail('label-shape', at, `has shape [${s.labels.shape.join(', ')}] unlike the train labels`);
    layout = l;
  }
  if (override) return { kind: override, reason: 'given by the caller' };
  if (layout === 'emotions') return { kind: 'iemocap', reason: 'labels hold 4 emotion pairs per sample (IEMOCAP)' };

  // The file name first (mosi_data.pkl, mosei_senti_data.pkl), then the folders (MMSA's MOSI/Processed/).
  const parts = file.toLowerCase().split(/[\\/]/).slice(-3).reverse();
  for (const [i, part] of parts.entries()) {
    const where = i === 0 ? 'file name' : 'folder name';
    if (part.includes('iemocap')) {
      const s = raw.splits.train;
      throw x.fail('label-shape', `${s.splitKey}.${s.keys.labels}`, `has sentiment shape [${s.labels.shape.join(', ')}] but the ${where} says IEMOCAP; expected ${EMOTION_SHAPE}`);
    }
    if (part.includes('mosei')) return { kind: 'mosei', reason: `${where} contains 'mosei'` };
    if (part.includes('mosi')) return { kind: 'mosi', reason: `${where} contains 'mosi'` };
  }
  const [, a, v] = geometry.dims;
  if (a === 5 && v === 20) return { kind: 'mosi', reason: 'audio/vision dims 5/20 are those of the MOSI files (MulT, MMSA)' };
  if (a === 74 && v === 35) return { kind: 'mosei', reason: 'sentiment labels with audio/vision dims 74/35 (MOSEI)' };
  const total = SPLITS.reduce((acc, s) => acc + (raw.splits[s].l.shape[0] as number), 0);
  return total < 8000
    ? { kind: 'mosi', reason: `${total} samples, closer to MOSI (2199) than MOSEI (22856); pass kind to override` }
    : { kind: 'mosei', reason: `${total} samples, closer to MOSEI (22856) than MOSI (2199); pass kind to override` };
}
