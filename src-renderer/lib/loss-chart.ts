/**
 * The lines of a run's loss chart: per phase the stored per-epoch train/valid totals (they survive
 * a reload) and the live per-step totals. Each phase counts its epochs from 1, so one line per
 * phase: a single line across phases would jump back from the teacher's last epoch to the
 * student's first.
 */
import type { EpochRecord } from '../../src-shared/models';
import type { LossPoint } from '../stores/runs';

export interface LossSeries {
  name: string;
  phase: string;
  kind: 'train' | 'valid' | 'live';
  data: [number, number | null][];
}

export function lossSeries(epochs: readonly EpochRecord[], live: readonly LossPoint[]): LossSeries[] {
  const phases = [...new Set([...epochs.map((e) => e.phase), ...live.map((p) => p.phase)])];
  return phases.flatMap((phase) => {
    const rows = epochs.filter((e) => e.phase === phase);
    const steps = live.filter((p) => p.phase === phase);
    const out: LossSeries[] = [];
    if (rows.length) {
      out.push({ name: `${phase} train`, phase, kind: 'train', data: rows.map((e) => [e.epoch, e.train.total ?? null]) });
      out.push({ name: `${phase} valid`, phase, kind: 'valid', data: rows.map((e) => [e.epoch, e.valid.total ?? null]) });
    }
    if (steps.length) out.push({ name: `${phase} per step (live)`, phase, kind: 'live', data: steps.map((p) => [p.x, p.total]) });
    return out;
  });
}

/** Height of a wrapped top legend, estimated for the narrowest chart (about 300 px of legend width). */
export function legendHeight(names: readonly string[]): number {
  const width = names.reduce((w, n) => w + 16 + 5 + 6 * n.length + 8, 0);
  return 14 + 20 * Math.max(1, Math.ceil(width / 300));
}
