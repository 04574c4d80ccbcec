import { MODALITIES, SPLITS } from '../../../../src-shared/domain';
import type { Tensor } from './extract';
import type { RawDataset, RawSplit } from './layouts';

export interface CleanStats {
  nan: number;
  posInf: number;
  negInf: number;
  min: number;
  max: number;
  allZeroSamples: number;
}

/**
 * Replace NaN/±inf by 0 in place and count them (datasets.md §1.1: MulT and MMSA zero the −inf of
 * COVAREP; we zero every non-finite value so no NaN reaches a loss), then count all-zero samples.
 */
export function cleanTensor(t: Tensor): CleanStats {
  const d = t.data;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    if (v - v !== 0) {
      // only NaN and ±inf fail v - v === 0
      if (v === Infinity) posInf++;
      else if (v === -Infinity) negInf++;
      else nan++;
      d[i] = 0;
      if (0 < min) min = 0;
      if (0 > max) max = 0;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = t.shape[0] ?? 0;
  const per = n > 0 ? d.length / n : 0;
  let allZeroSamples = 0;
  for (let s = 0; s < n; s++) {
    let zero = true;
    for (let i = s * per, end = i + per; i < end; i++) {
      if (d[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) allZeroSamples++;
  }
  return { nan, posInf, negInf, min: d.length ? min : 0, max: d.length ? max : 0, allZeroSamples };
}

function rowIsZero(d: Float32Array, at: number, width: number): boolean {
  for (let i = at; i < at + width; i++) if (d[i] !== 0) return false;
  return true;
}

/** Leading and trailing all-zero rows of sample `s` in a [N, T, D] tensor. */
function zeroRows(t: Tensor, s: number): { lead: number; trail: number } {
  const T = t.shape[1] as number;
  const D = t.shape[2] as number;
  const base = s * T * D;
  let lead = 0;
  while (lead < T && rowIsZero(t.data, base + lead * D, D)) lead++;
  if (lead === T) return { lead: T, trail: T };
  let trail = 0;
  while (rowIsZero(t.data, base + (T - 1 - trail) * D, D)) trail++;
  return { lead, trail };
}

export type PaddingSide = 'front' | 'end' | 'none' | 'mixed';

/**
 * Which side the text's zero rows are on across the whole file. MulT pads in front, MMSA at the
 * end [inferred, datasets.md §2.1]; all-zero samples say nothing and are skipped.
 */
export function detectPadding(raw: Pick<RawDataset, 'splits'>): PaddingSide {
  let front = 0;
  let end = 0;
  for (const split of SPLITS) {
    const l = raw.splits[split].l;
    const T = l.shape[1] as number;
    for (let s = 0; s < (l.shape[0] as number); s++) {
      const { lead, trail } = zeroRows(l, s);
      if (lead === T) continue;
      if (lead > 0) front++;
      if (trail > 0) end++;
    }
  }
  if (front === 0 && end === 0) return 'none';
  if (end === 0) return 'front';
  if (front === 0) return 'end';
  return 'mixed';
}

/**
 * Move each sample's rows so the padding is in front (the workbench convention: the last step is
 * the last valid step for every model). Rotates rather than shifts, so no row is ever lost even if
 * audio/vision had non-zero rows past the text's length.
 */
export function padToFront(split: RawSplit): void {
  const l = split.l;
  const n = l.shape[0] as number;
  for (let s = 0; s < n; s++) {
    const { lead, trail } = zeroRows(l, s);
    if (lead === l.shape[1] || trail === 0) continue;
    for (const m of MODALITIES) rotateSample(split[m], s, trail);
  }
}

/** Rotate the rows of sample `s` down by `k` (row r goes to r + k mod T). */
function rotateSample(t: Tensor, s: number, k: number): void {
  const T = t.shape[1] as number;
  const D = t.shape[2] as number;
  const base = s * T * D;
  const block = t.data.slice(base, base + T * D);
  const cut = (T - k) * D;
  t.data.set(block.subarray(cut), base);
  t.data.set(block.subarray(0, cut), base + k * D);
}

/** Valid length per sample: T minus the text's leading zero rows (front padding). */
export function lengthHistogram(l: Tensor): Record<string, number> {
  const T = l.shape[1] as number;
  const h: Record<string, number> = {};
  for (let s = 0; s < (l.shape[0] as number); s++) {
    const { lead } = zeroRows(l, s);
    const len = String(T - lead);
    h[len] = (h[len] ?? 0) + 1;
  }
  return h;
}
