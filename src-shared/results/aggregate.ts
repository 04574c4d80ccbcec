/**
 * Seed aggregation and significance. For each (dataset, method, variant) group and each
 * (protocol, condition, metric): n, mean, sample std (ddof 1), 95 % Student-t CI of the mean; and
 * against a reference method, Welch's t-test on the per-seed values and a paired t-test by seed
 * (spec §5; the values equal scipy's, see test/fixtures/results).
 */
import { MISSING_CONDITIONS } from '../domain';
import { describeDegenerate } from '../metrics/degenerate';
import { pairedTTest, significanceMark, summarize, welchTTest } from '../stats';
import type { RunStatus } from '../models';
import { flattenMetrics } from './metrics';
import type { AggregateCell, Comparison, GroupKey, Protocol, ResultGroup, RunCounts, RunResult, SignificanceTest } from './types';

export function groupId(k: GroupKey): string {
  return JSON.stringify([k.dataset, k.method, k.variant]);
}

export function emptyCounts(): RunCounts {
  return { total: 0, queued: 0, running: 0, finished: 0, failed: 0, cancelled: 0 };
}

export function countStatuses(statuses: RunStatus[]): RunCounts {
  const c = emptyCounts();
  for (const s of statuses) {
    c.total++;
    c[s]++;
  }
  return c;
}

/** Groups in first-seen order (the experiment's queue order), each with its run counts and finished seeds. */
export function groupRuns(runs: RunResult[]): { group: ResultGroup; runs: RunResult[] }[] {
  const byId = new Map<string, { group: ResultGroup; runs: RunResult[] }>();
  for (const r of runs) {
    const id = groupId(r);
    let entry = byId.get(id);
    if (!entry) {
      entry = {
        group: {
          dataset: r.dataset,
          method: r.method,
          variant: r.variant,
          datasetKind: r.datasetKind,
          configHash: r.configHash,
          config: r.config,
          counts: emptyCounts(),
          seeds: [],
        },
        runs: [],
      };
      byId.set(id, entry);
    }
    entry.runs.push(r);
  }
  for (const entry of byId.values()) {
    entry.group.counts = countStatuses(entry.runs.map((r) => r.status));
    entry.group.seeds = entry.runs
      .filter((r) => r.status === 'finished')
      .map((r) => r.seed)
      .sort((a, b) => a - b);
  }
  return [...byId.values()];
}

export interface ConditionSelection {
  inter: readonly string[];
  intra: readonly string[];
}

/**
 * Aggregates the finished runs of every group over seeds. Only the selected conditions are
 * reported (a scenario's evaluation selection); a NaN value (undefined metric) is left out of n and
 * its seed listed in `undefinedSeeds`. If a group has several finished runs with the same seed
 * (a repeated run), the latest is used, so every value is one seed.
 */
export function aggregate(runs: RunResult[], selection: ConditionSelection, level = 0.95): { groups: ResultGroup[]; cells: AggregateCell[] } {
  const groups = groupRuns(runs);
  const wanted: Record<Protocol, Set<string>> = { inter: new Set(selection.inter), intra: new Set(selection.intra) };
  const order: Record<Protocol, readonly string[]> = { inter: selection.inter, intra: selection.intra };
  const cells: AggregateCell[] = [];
  for (const { group, runs: members } of groups) {
    const bySeed = new Map<number, RunResult>();
    for (const r of members) if (r.status === 'finished' && (bySeed.get(r.seed)?.run ?? -1) < r.run) bySeed.set(r.seed, r);
    const finished = [...bySeed.values()].sort((a, b) => a.seed - b.seed);
    group.seeds = finished.map((r) => r.seed);
    group.degenerate = finished.flatMap((r) => {
      const summary = describeDegenerate(r.predictionCheck?.findings ?? []);
      return summary ? [{ run: r.run, seed: r.seed, summary }] : [];
    });
    // (protocol, condition) → metric → per-seed values
    const collected = new Map<string, Map<string, { seed: number; value: number }[]>>();
    for (const r of finished) {
      for (const e of r.evaluations) {
        if (!wanted[e.protocol].has(e.condition)) continue;
        const key = `${e.protocol}|${e.condition}`;
        let metrics = collected.get(key);
        if (!metrics) collected.set(key, (metrics = new Map()));
        for (const [metric, value] of Object.entries(flattenMetrics(e.metrics))) {
          let list = metrics.get(metric);
          if (!list) metrics.set(metric, (list = []));
          list.push({ seed: r.seed, value });
        }
      }
    }
    for (const protocol of ['inter', 'intra'] as const) {
      for (const condition of order[protocol]) {
        const metrics = collected.get(`${protocol}|${condition}`);
        if (!metrics) continue;
        for (const [metric, list] of metrics) {
          const finite = list.filter((x) => Number.isFinite(x.value));
          const s = summarize(
            finite.map((x) => x.value),
            level,
          );
          cells.push({
            dataset: group.dataset,
            method: group.method,
            variant: group.variant,
            protocol,
            condition,
            metric,
            n: s.n,
            mean: s.mean,
            std: s.std,
            sem: s.sem,
            ciLow: s.ciLow,
            ciHigh: s.ciHigh,
            ciHalfWidth: s.ciHalfWidth,
            seeds: finite.map((x) => x.seed),
            values: finite.map((x) => x.value),
            undefinedSeeds: list.filter((x) => !Number.isFinite(x.value)).map((x) => x.seed),
            degenerateSeeds: finished.filter((r) => degenerateUnder(r, protocol, condition)).map((r) => r.seed),
          });
        }
      }
    }
  }
  return { groups: groups.map((g) => g.group), cells };
}

/** Whether a run's predictions under a condition are constant or one-sided; Avg. inherits from the six it averages. */
function degenerateUnder(r: RunResult, protocol: Protocol, condition: string): boolean {
  const findings = r.predictionCheck?.findings ?? [];
  const under = protocol === 'inter' && condition === 'avg' ? (MISSING_CONDITIONS as readonly string[]) : [condition];
  return findings.some((f) => f.protocol === protocol && under.includes(f.condition));
}

function cellId(c: { dataset: string; method: string; variant: string; protocol: string; condition: string; metric: string }): string {
  return JSON.stringify([c.dataset, c.method, c.variant, c.protocol, c.condition, c.metric]);
}

/** Index of cells for lookups by group and condition. */
export class CellIndex {
  private readonly map = new Map<string, AggregateCell>();
  constructor(cells: readonly AggregateCell[]) {
    for (const c of cells) this.map.set(cellId(c), c);
  }
  get(k: GroupKey, protocol: Protocol, condition: string, metric: string): AggregateCell | undefined {
    return this.map.get(cellId({ ...k, protocol, condition, metric }));
  }
}

/**
 * The reference group a group is compared with: the reference method on the same dataset and the
 * same config variant, else (the reference was run without variants) its only variant.
 */
export function referenceGroupOf<G extends GroupKey>(group: GroupKey, reference: string, groups: readonly G[]): G | undefined {
  const candidates = groups.filter((g) => g.dataset === group.dataset && g.method === reference);
  return candidates.find((g) => g.variant === group.variant) ?? (candidates.length === 1 ? candidates[0] : undefined);
}

/**
 * Every group's cells against the reference method's: Welch's t-test on the per-seed values and a
 * paired t-test over the seeds both have. `mark` follows the chosen test at p < 0.05.
 */
export function compareToReference(
  groups: readonly ResultGroup[],
  cells: readonly AggregateCell[],
  reference: string,
  test: SignificanceTest = 'welch',
): Comparison[] {
  const index = new CellIndex(cells);
  const out: Comparison[] = [];
  for (const c of cells) {
    if (c.method === reference) continue;
    const refGroup = referenceGroupOf(c, reference, groups);
    if (!refGroup) continue;
    const ref = index.get(refGroup, c.protocol, c.condition, c.metric);
    // Nothing to compare where either side has no defined value (e.g. Corr at p = 1).
    if (!ref || ref.n === 0 || c.n === 0) continue;
    const welch = welchTTest(c.values, ref.values);
    const refBySeed = new Map(ref.seeds.map((s, i) => [s, ref.values[i]!]));
    const pairs = c.seeds.map((s, i) => ({ seed: s, a: c.values[i]!, b: refBySeed.get(s) })).filter((x): x is { seed: number; a: number; b: number } => x.b !== undefined);
    const paired =
      pairs.length >= 2
        ? pairedTTest(
            pairs.map((x) => x.a),
            pairs.map((x) => x.b),
          )
        : null;
    const p = test === 'welch' ? welch.p : (paired?.p ?? NaN);
    out.push({
      dataset: c.dataset,
      method: c.method,
      variant: c.variant,
      reference: refGroup.method,
      protocol: c.protocol,
      condition: c.condition,
      metric: c.metric,
      meanDiff: c.mean - ref.mean,
      welch,
      paired,
      pairedSeeds: pairs.map((x) => x.seed),
      mark: significanceMark(p),
    });
  }
  return out;
}
