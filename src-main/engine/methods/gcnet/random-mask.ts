/**
 * GCNet's missing simulation, random_mask (zeroQiaoba/GCNet:gcnet/train_gcnet.py L155-198, "follow
 * CPM-Net's masking manner"), drawn from the run's seeded Rng instead of numpy's global one. It
 * returns a [rows, 3] availability matrix (1 = kept) in GCNet's column order: audio, text, video.
 */
import type { Rng } from '../../random';

/** Modalities per node (view_num). */
const VIEWS = 3;
/** The reference loops until the realised rate is this close; see MAX_DRAWS. */
const TOLERANCE = 0.005;
/**
 * The reference's loop has no bound and never ends when int(ratio·100) cannot reach the target
 * (e.g. a keep rate just above 1/3, which a rate drawn in [0, 0.7] can hit). After this many
 * draws the closest one is kept [gap-fill].
 */
const MAX_DRAWS = 100;

/** One-hot rows: each node keeps one modality drawn uniformly (OneHotEncoder over randint(0, 3)). */
function oneModalityEach(rows: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(rows * VIEWS);
  for (let r = 0; r < rows; r++) m[r * VIEWS + rng.int(VIEWS)] = 1;
  return m;
}

/** randint(0, 100, size) < threshold, as 0/1. */
function bernoulliPercent(cells: number, threshold: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) m[i] = rng.int(100) < threshold ? 1 : 0;
  return m;
}

/**
 * random_mask(3, rows, missingRate): every row keeps at least one modality; overall about
 * `missingRate` of the cells are dropped. Keep rate ≤ 1/3: exactly one modality per row; keep
 * rate 1: all kept; otherwise one guaranteed modality per row plus Bernoulli extras, redrawn until
 * the realised keep rate is within 0.005 of the target (over max(rows, 32) rows, then truncated).
 */
export function gcnetRandomMask(rows: number, missingRate: number, rng: Rng): Uint8Array {
  if (!(missingRate >= 0 && missingRate <= 1)) throw new Error(`GCNet random_mask: missing rate must be in [0, 1], got ${missingRate}`);
  const keepRate = 1 - missingRate;
  if (keepRate <= 1 / VIEWS) return oneModalityEach(rows, rng);
  if (keepRate === 1) return new Uint8Array(rows * VIEWS).fill(1);
  const drawRows = Math.max(rows, 32);
  const cells = VIEWS * drawRows;
  let best: Uint8Array | null = null;
  let bestError = Infinity;
  for (let draw = 0; draw < MAX_DRAWS && bestError >= TOLERANCE; draw++) {
    const preserve = oneModalityEach(drawRows, rng);
    // Ones still to place after the guaranteed one per row, as a ratio of all cells.
    const oneNum = cells * keepRate - drawRows;
    const first = bernoulliPercent(cells, Math.trunc((oneNum / cells) * 100), rng);
    let overlap = 0;
    for (let i = 0; i < cells; i++) if (first[i]! + preserve[i]! > 1) overlap++;
    // Inflate for the extras that will land on already-kept cells, then draw again.
    const oneNumIter = oneNum / (1 - overlap / oneNum);
    const extra = bernoulliPercent(cells, Math.trunc((oneNumIter / cells) * 100), rng);
    const matrix = new Uint8Array(cells);
    let kept = 0;
    for (let i = 0; i < cells; i++) {
      matrix[i] = extra[i]! + preserve[i]! > 0 ? 1 : 0;
      kept += matrix[i]!;
    }
    const error = Math.abs(keepRate - kept / cells);
    if (error < bestError) {
      best = matrix;
      bestError = error;
    }
  }
  return best!.slice(0, rows * VIEWS);
}
