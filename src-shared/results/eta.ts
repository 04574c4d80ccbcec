/**
 * Duration estimates from measured runs. A finished run of the same method on the same dataset
 * gives seconds per epoch (mean of its epoch records) and a fixed overhead (process start, data
 * load, the 18-condition evaluation: wall time minus training); a new run is estimated as
 * overhead + epochs × seconds per epoch, scaled by the epochs it will train.
 */
import type { RunDetail } from '../models';
import type { ReproducePlan } from './types';

export interface Measurement {
  runId: number;
  method: string;
  dataset: string;
  secondsPerEpoch: number;
  overheadSeconds: number;
  /** Epochs per phase of the measured run (its config's `epochs`). */
  epochsPerPhase: number;
  /** Training phases (HRLF: teacher and student), epochsPlanned / epochsPerPhase. */
  phases: number;
}

export function pairKey(method: string, dataset: string): string {
  return `${method}|${dataset}`;
}

export function measurementOf(run: RunDetail): Measurement | null {
  if (run.status !== 'finished' || !run.startedAt || !run.finishedAt || run.epochs.length === 0) return null;
  const wall = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
  const training = run.epochs.reduce((s, e) => s + e.seconds, 0);
  if (!Number.isFinite(wall) || wall <= 0) return null;
  const configured = run.config.epochs;
  const epochsPerPhase = typeof configured === 'number' && configured > 0 ? configured : run.epochsPlanned;
  return {
    runId: run.id,
    method: run.method,
    dataset: run.dataset,
    secondsPerEpoch: training / run.epochs.length,
    overheadSeconds: Math.max(0, wall - training),
    epochsPerPhase,
    phases: Math.max(1, Math.round(run.epochsPlanned / Math.max(1, epochsPerPhase))),
  };
}

/** Seconds one run takes with `epochs` per phase (null: as many as the measured run). */
export function estimateRun(m: Measurement, epochs: number | null): number {
  return m.overheadSeconds + m.secondsPerEpoch * m.phases * (epochs ?? m.epochsPerPhase);
}

export interface GridEstimate {
  runs: number;
  /** Wall seconds with `concurrency` runs at a time; null when no pair of the grid was measured. */
  seconds: number | null;
  /** Method|dataset pairs without a measurement: their runs are not in `seconds`. */
  unmeasured: string[];
}

export function estimateGrid(
  grid: { methods: string[]; datasets: string[]; seeds: number; variants: number; epochs: number | null },
  measurements: Readonly<Record<string, Measurement>>,
  concurrency: number,
): GridEstimate {
  const perCell = grid.seeds * Math.max(1, grid.variants);
  let total = 0;
  let measured = 0;
  const unmeasured: string[] = [];
  for (const dataset of grid.datasets) {
    for (const method of grid.methods) {
      const m = measurements[pairKey(method, dataset)];
      if (!m) {
        unmeasured.push(`${method} on ${dataset}`);
        continue;
      }
      measured++;
      total += perCell * estimateRun(m, grid.epochs);
    }
  }
  return {
    runs: grid.methods.length * grid.datasets.length * perCell,
    // Two runs share two cores: concurrency overlaps start-up more than it speeds training, so
    // dividing by it is optimistic; the README's measurement puts the gain near 10 %–40 %.
    seconds: measured === 0 ? null : total / Math.max(1, concurrency),
    unmeasured,
  };
}

/** "45 s", "3 min 20 s", "1 h 5 min"; '–' for an unknown duration. */
export function duration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A plan's estimate in words (CLI and UI): "about 12 min with 2 runs at a time (measured from finished runs; …)". */
export function estimateText(e: ReproducePlan['estimate']): string {
  if (!e) return 'no estimate';
  if (e.seconds === null) return `no estimate yet: none of its method × dataset pairs has a finished run to measure (${e.unmeasured.join(', ')})`;
  const missing = e.unmeasured.length ? `; not counted, never run: ${e.unmeasured.join(', ')}` : '';
  return `about ${duration(e.seconds)} with ${e.concurrency} run${e.concurrency === 1 ? '' : 's'} at a time (measured from finished runs${missing})`;
}
