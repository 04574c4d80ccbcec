/**
 * Degenerate test predictions: a model that predicts (nearly) the same value for every sample, or
 * puts every sample on the same side of the binary decision, scores the constant-prediction F1 and
 * Acc-2 however good its other numbers look. Found from the stored per-sample predictions of a
 * finished run, per evaluation condition, so a reader knows which scores to distrust and where.
 *
 *   constant:  the predictions' spread across samples (std per output column) is below
 *              CONSTANT_RATIO of the labels' spread — the criterion of the engine's collapse check;
 *   one-sided: regression — every prediction is > 0, or every one is ≤ 0 (Acc-2 Non0 and Has0 then
 *              predict one class); IEMOCAP — some emotion's head predicts the same class for every
 *              sample ("always present" or "always absent").
 *
 * Every intra-modality frame of every modality is dropped at p = 1.0, so all samples are the same
 * zero input there and constant predictions are the protocol, not a defect: that ratio is not checked.
 */
import { IEMOCAP_EMOTIONS, INTER_CONDITIONS, INTRA_RATIOS } from '../domain';
import { conditionName } from '../results/names';
import { argmax2 } from './classification';

/** Spread below this fraction of the labels' counts as no spread (as the engine's collapse check). */
export const CONSTANT_RATIO = 1e-3;

export type DegenerateKind = 'constant' | 'one-sided';

export interface DegenerateCondition {
  protocol: 'inter' | 'intra';
  /** Condition key as stored: 'l,a,v', or the intra ratio '0.3'. */
  condition: string;
  kind: DegenerateKind;
  /** What the predictions do, e.g. "every prediction ≤ 0", "Happy always absent". */
  detail: string;
}

export interface PredictionCheck {
  /** (protocol, condition) sets that were checked. */
  checked: number;
  findings: DegenerateCondition[];
}

/** One stored prediction set: n samples × width outputs; labels n × (1 or emotions). */
export interface PredictionSet {
  protocol: string;
  condition: string;
  n: number;
  width: number;
  labels: ArrayLike<number>;
  values: ArrayLike<number>;
}

function columnStd(values: ArrayLike<number>, n: number, width: number, column: number): number {
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i * width + column]!;
  mean /= n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i * width + column]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / n);
}

function meanSpread(values: ArrayLike<number>, n: number, width: number): number {
  let total = 0;
  for (let c = 0; c < width; c++) total += columnStd(values, n, width, c);
  return total / width;
}

/** A regression set (width 1) or an IEMOCAP set (two logits per emotion). */
function checkSet(s: PredictionSet): Omit<DegenerateCondition, 'protocol' | 'condition'> | null {
  const classification = s.width === 2 * IEMOCAP_EMOTIONS.length;
  const labelWidth = classification ? IEMOCAP_EMOTIONS.length : 1;
  const labelSpread = meanSpread(s.labels, s.n, labelWidth);
  const spread = meanSpread(s.values, s.n, s.width);
  if (labelSpread > 0 && spread < CONSTANT_RATIO * labelSpread) {
    return { kind: 'constant', detail: `the predictions do not vary across samples (spread ${spread.toPrecision(2)} vs the labels' ${labelSpread.toPrecision(2)})` };
  }
  if (!classification) {
    let positive = 0;
    for (let i = 0; i < s.n; i++) if (s.values[i]! > 0) positive++;
    if (positive === s.n) return { kind: 'one-sided', detail: 'every prediction > 0' };
    if (positive === 0) return { kind: 'one-sided', detail: 'every prediction ≤ 0' };
    return null;
  }
  const stuck: string[] = [];
  IEMOCAP_EMOTIONS.forEach((emotion, e) => {
    let present = 0;
    for (let i = 0; i < s.n; i++) present += argmax2(s.values[i * s.width + 2 * e]!, s.values[i * s.width + 2 * e + 1]!);
    if (present === s.n) stuck.push(`${emotion} always present`);
    else if (present === 0) stuck.push(`${emotion} always absent`);
  });
  return stuck.length > 0 ? { kind: 'one-sided', detail: stuck.join(', ') } : null;
}

/** Checks every stored set except the 'avg' summary (no predictions) and intra p = 1.0 (see above). */
export function checkPredictions(sets: readonly PredictionSet[]): PredictionCheck {
  const findings: DegenerateCondition[] = [];
  let checked = 0;
  for (const s of sets) {
    if (s.width === 0 || s.n === 0) continue;
    if (s.protocol === 'intra' && Number(s.condition) >= 1) continue;
    if (s.protocol !== 'inter' && s.protocol !== 'intra') continue;
    checked++;
    const found = checkSet(s);
    if (found) findings.push({ protocol: s.protocol, condition: s.condition, ...found });
  }
  return { checked, findings };
}

function where(conditions: DegenerateCondition[]): string {
  const inter = conditions.filter((c) => c.protocol === 'inter').map((c) => c.condition);
  const intra = conditions.filter((c) => c.protocol === 'intra').map((c) => c.condition);
  const parts: string[] = [];
  if (inter.length === INTER_CONDITIONS.length) parts.push(`all ${INTER_CONDITIONS.length} inter-modality conditions`);
  else if (inter.length > 0) parts.push(inter.map(conditionName).join(', '));
  const ratios = INTRA_RATIOS.filter((p) => p < 1).length;
  if (intra.length === ratios) parts.push('every intra ratio p < 1');
  else if (intra.length > 0) parts.push(intra.map(conditionName).join(', '));
  return parts.join(' and ');
}

/**
 * One line for run lists and tables: "one-sided predictions (every prediction ≤ 0) under all 7
 * inter-modality conditions and every intra ratio p < 1". Null when nothing was found.
 */
export function describeDegenerate(findings: readonly DegenerateCondition[]): string | null {
  if (findings.length === 0) return null;
  const groups = new Map<string, DegenerateCondition[]>();
  for (const f of findings) {
    // Constant sets differ only in their spread numbers: one group.
    const key = f.kind === 'constant' ? 'constant predictions' : `one-sided predictions (${f.detail})`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].map(([what, list]) => `${what} under ${where(list)}`).join('; ');
}
