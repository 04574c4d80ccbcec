import { SingleBar, Presets } from 'cli-progress';
import { INTER_CONDITIONS, MISSING_CONDITIONS } from '../../src-shared/domain';
import { describeDegenerate } from '../../src-shared/metrics/degenerate';
import { conditionName, metricName } from '../../src-shared/results/names';
import type { MetricRecord, RunDetail } from '../../src-shared/models';
import type { Workbench } from '../services/api';
import { detail } from '../services/summaries';
import { RunStartInput } from '../../src-shared/contract';
import { openCoordinator, UsageError, type Global } from './context';
import { integerFlag, usageError } from './results-text';
import { fixed, table } from './format';

interface TrainFlags {
  dataset: string;
  method: string;
  seed: string;
  epochs?: string;
  backend?: string;
  preset?: string;
  set?: string[];
  json?: boolean;
}

/** `--set key=value`: numbers and booleans are typed, anything else stays a string; the method's schema validates. */
export function parseOverrides(pairs: string[] = []): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set: expected key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** The JSON document of `hrlf train --json` (issue #3, item 10). */
export function runDocument(run: RunDetail): Record<string, unknown> {
  const inter: Record<string, unknown> = {};
  const intra: Record<string, unknown> = {};
  for (const e of run.evaluations) (e.protocol === 'inter' ? inter : intra)[e.condition] = e.metrics;
  return {
    run: run.id,
    dataset: run.dataset,
    method: run.method,
    seed: run.seed,
    backend: run.backend,
    epochs: run.epochsDone,
    status: run.status,
    outcome: run.outcome,
    error: run.error,
    config: run.config,
    configHash: run.configHash,
    codeVersion: run.codeVersion,
    datasetSha256: run.datasetSha256,
    inter,
    intra,
    teacher: run.teacherMetrics ?? null,
    degenerate: run.degenerate ?? null,
    predictionCheck: run.predictionCheck ?? null,
  };
}

/** "one-sided (every prediction ≤ 0)" where the run's predictions under this condition are degenerate. */
function checkCell(run: RunDetail, condition: string): string {
  const findings = run.predictionCheck?.findings ?? [];
  const under = condition === 'avg' ? (MISSING_CONDITIONS as readonly string[]) : [condition];
  const f = findings.filter((x) => x.protocol === 'inter' && under.includes(x.condition));
  if (f.length === 0) return '';
  if (condition === 'avg') return `averages ${f.length} degenerate condition(s)`;
  return f[0]!.kind === 'constant' ? 'constant' : `one-sided (${f[0]!.detail})`;
}

const REGRESSION_COLUMNS = ['mae', 'corr', 'acc7', 'acc5', 'acc2_has0', 'f1_has0', 'acc2_non0', 'f1_non0'] as const;

/** The human report of `hrlf train`: status, metrics per condition, and where the predictions are degenerate. */
export function renderReport(run: RunDetail): string {
  const out: string[] = [];
  out.push(`run ${run.id}: ${run.method} on ${run.dataset}, seed ${run.seed}, backend ${run.backend ?? '-'}: ${run.status}\n`);
  if (run.status !== 'finished') {
    if (run.error) out.push(`reason: ${run.error}\n`);
    return out.join('');
  }
  if (run.outcome && run.outcome !== 'completed') out.push(`outcome: ${run.outcome}\n`);
  const byCondition = new Map(run.evaluations.filter((e) => e.protocol === 'inter').map((e) => [e.condition, e.metrics]));
  const conditions = [...INTER_CONDITIONS, 'avg'];
  const first = byCondition.get('l,a,v');
  if (first && typeof first.mae === 'number') {
    out.push(
      table(
        ['condition', ...REGRESSION_COLUMNS.map(metricName), 'predictions'],
        conditions.map((c) => {
          const m = (byCondition.get(c) ?? {}) as MetricRecord;
          return [conditionName(c), ...REGRESSION_COLUMNS.map((k) => fixed(m[k])), checkCell(run, c)];
        }),
      ) + '\n(metrics as fractions in [0, 1])\n',
    );
    const t = (run.teacherMetrics ?? null) as MetricRecord | null;
    if (t && typeof t.f1_non0 === 'number') {
      out.push(`teacher (complete data, frozen): ${metricName('mae')} ${fixed(t.mae)}  ${metricName('corr')} ${fixed(t.corr)}  ${metricName('f1_non0')} ${fixed(t.f1_non0)}\n`);
    }
  } else if (first) {
    const emotions = Object.keys(first);
    out.push(
      table(
        ['condition', ...emotions.map((e) => metricName(`${e}.f1`)), 'predictions'],
        conditions.map((c) => [conditionName(c), ...emotions.map((e) => fixed(((byCondition.get(c) ?? {}) as Record<string, MetricRecord>)[e]?.f1)), checkCell(run, c)]),
      ) + '\n',
    );
  }
  const degenerate = describeDegenerate(run.predictionCheck?.findings ?? []);
  if (degenerate) {
    out.push(`warning: degenerate model: ${degenerate}; F1 and Acc-2 there are a constant predictor's scores\n`);
  }
  return out.join('');
}

async function waitForEnd(wb: Workbench, runId: number, showBar: boolean): Promise<void> {
  const bar = showBar ? new SingleBar({ format: '{phase} epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} | ETA {eta_formatted}', hideCursor: true }, Presets.shades_classic) : null;
  let barStarted = false;
  const unsubscribe = wb.bus.subscribe((event, payload) => {
    if (!bar || event !== 'run.progress') return;
    const p = payload as { runId: number; phase: string; epoch: number; epochs: number; step: number; steps: number; losses: Record<string, number> };
    if (p.runId !== runId) return;
    const total = p.epochs * p.steps;
    const value = (p.epoch - 1) * p.steps + p.step;
    const fields = { phase: p.phase, epoch: p.epoch, epochs: p.epochs, loss: (p.losses.total ?? 0).toFixed(4) };
    if (!barStarted) {
      bar.start(total, value, fields);
      barStarted = true;
    } else {
      bar.setTotal(total);
      bar.update(value, fields);
    }
  });
  // A cluster's workers run it; this process stores its results as they come.
  await (wb.cluster ? wb.settled([runId]) : wb.runs.idle());
  unsubscribe();
  if (bar && barStarted) {
    bar.update(bar.getTotal());
    bar.stop();
  }
}

export async function trainCommand(global: Global, flags: Record<string, unknown>): Promise<void> {
  const f = flags as unknown as TrainFlags;
  const input = {
    dataset: f.dataset,
    method: f.method,
    seed: integerFlag('--seed', f.seed, RunStartInput.shape.seed),
    epochs: integerFlag('--epochs', f.epochs, RunStartInput.shape.epochs),
    backend: f.backend,
    preset: f.preset,
    config: parseOverrides(f.set),
  };
  const wb = await openCoordinator(global);
  try {
    const started = await wb.call('runs.start', input);
    if (!started.ok) throw usageError(started.error);
    const runId = (started.output as { id: number }).id;
    const stopOnSignal = (): void => void wb.cancelRun(runId);
    process.once('SIGINT', stopOnSignal);
    await waitForEnd(wb, runId, !f.json && Boolean(process.stderr.isTTY));
    process.off('SIGINT', stopOnSignal);
    const run = detail(wb.store, wb.store.runs.get(runId)!);
    if (f.json) process.stdout.write(JSON.stringify(runDocument(run), null, 2) + '\n');
    else process.stdout.write(renderReport(run));
    if (run.status !== 'finished') process.exitCode = 1;
  } finally {
    await wb.shutdown();
  }
}
