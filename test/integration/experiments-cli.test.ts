import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/services/api';
import type { ExperimentResults, ReproduceStarted } from '../../src-shared/results';
import { csvRecords, hrlf, requireBuild, ROOT, tempHome } from './helpers';

/** CSV with a header row as one object per record. */
function parse(text: string, _options: { columns: true }): Record<string, string>[] {
  const [header, ...body] = csvRecords(text);
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/** Small and fast: lf-linear, 1 epoch, 2 seeds, on the built-in synthetic MOSI and an imported fixture. */
const haveTex = spawnSync('pdflatex', ['--version']).status === 0;

beforeAll(() => requireBuild());

describe('hrlf experiment / reproduce / export (lf-linear, 1 epoch, 2 seeds)', () => {
  const home = tempHome('hrlf-exp-cli-');
  let experiment = 0;

  it('experiment create --wait runs the grid and prints mean ± std per condition equal to the stored runs', async () => {
    const r = await hrlf(['experiment', 'create', '--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', '1111,1112', '--epochs', '1', '--name', 'smoke & 50%', '--wait', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as ExperimentResults;
    experiment = results.experiment.id;
    expect(results.experiment.counts).toMatchObject({ total: 2, finished: 2 });
    expect(results.runs.map((x) => [x.seed, x.status, x.maskSeed])).toEqual([
      [1111, 'finished', 0],
      [1112, 'finished', 0],
    ]);
    for (const run of results.runs) {
      expect(run.configHash).toMatch(/^[0-9a-f]{16}$/);
      expect(run.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(run.codeVersion).not.toBe('');
      expect(run.backend).not.toBeNull();
      expect(run.timings?.totalSeconds).toBeGreaterThan(0);
    }
    // The aggregate is the mean of what the store holds for the two runs.
    const wb = new Workbench({ home, mode: 'cli', workQueue: false });
    const f1 = results.runs.map((x) => (wb.store.runs.evaluations(x.run).find((e) => e.condition === 'avg')!.metrics as Record<string, number>).f1_non0!);
    wb.close();
    const cell = results.cells.find((c) => c.protocol === 'inter' && c.condition === 'avg' && c.metric === 'f1_non0')!;
    expect(cell.n).toBe(2);
    expect(cell.mean).toBeCloseTo((f1[0]! + f1[1]!) / 2, 12);
    expect(results.tables[0]!.blocks[0]!.rows[0]!.cells.find((c) => c.condition === 'avg')!.ours!.mean).toBeCloseTo(cell.mean * 100, 10);
    expect(results.curves[0]!.series[0]!.points).toHaveLength(11);

    const shown = await hrlf(['experiment', 'show', String(experiment)], home);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Late fusion \(linear\)\s+ours\s+2\s+\d+\.\d\d±\d+\.\d\d/);
    expect(shown.stdout).toMatch(/Figure 4 data/);
  });

  it('exports CSV long, CSV wide, LaTeX and JSON with provenance', async () => {
    const out = (ext: string): string => join(home, `export.${ext}`);
    for (const [format, ext] of [['csv', 'csv'], ['csv-wide', 'wide.csv'], ['latex', 'tex'], ['json', 'json']] as const) {
      const r = await hrlf(['export', '--experiment', String(experiment), '--format', format, '--out', out(ext)], home);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
    }
    const long = parse(readFileSync(out('csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    // 2 runs × (7 conditions + Avg. + 11 ratios) × 8 metrics.
    expect(long).toHaveLength(2 * 19 * 8);
    expect(Object.keys(long[0]!)).toEqual(expect.arrayContaining(['run', 'seed', 'config_hash', 'dataset_sha256', 'code_version', 'backend', 'host', 'mask_seed', 'condition', 'p', 'metric', 'value']));
    expect(new Set(long.map((x) => x.seed))).toEqual(new Set(['1111', '1112']));
    expect(long.filter((x) => x.condition === 'intra').map((x) => x.p)).toContain('0.5');

    const wide = parse(readFileSync(out('wide.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(wide).toHaveLength(1);
    expect(wide[0]!['Avg.']).toMatch(/^\d+\.\d\d ± \d+\.\d\d$/);
    expect(wide[0]!.seeds).toBe('1111 1112');

    const tex = readFileSync(out('tex'), 'utf8');
    expect(tex).toContain('\\caption{Inter-modality missingness, scenario paper.');
    expect(tex).toMatch(/% HRLF Workbench export of experiment \d+ \(smoke & 50%\)/);
    expect(tex).toMatch(/\\textbf\{\d+\.\d\d \$\\pm\$ \d+\.\d\d\}/);
    if (haveTex) {
      writeFileSync(join(home, 'doc.tex'), '\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n\\input{export.tex}\n\\end{document}\n');
      const compiled = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'doc.tex'], { cwd: home, encoding: 'utf8', timeout: 60_000 });
      expect(compiled.status, compiled.stdout.slice(-1500)).toBe(0);
    }

    const json = JSON.parse(readFileSync(out('json'), 'utf8')) as ExperimentResults & { runs: { evaluations: unknown[] }[] };
    expect(json.runs).toHaveLength(2);
    expect(json.runs[0]!.evaluations).toHaveLength(19);

    // The existing per-run export keeps working.
    const predictions = await hrlf(['export', '--run', String(json.runs[0]!.run), '--predictions'], home);
    expect(predictions.code).toBe(0);
    expect(predictions.stdout.split('\n')[0]).toBe('run,condition,p,index,sample_id,label,prediction');
  });

  it('bad input: unknown method, missing dataset, non-integer seeds queue nothing; an export without finished runs writes nothing', async () => {
    const runsBefore = JSON.parse((await hrlf(['runs', '--json'], home)).stdout) as unknown[];
    const listBefore = JSON.parse((await hrlf(['experiment', 'list', '--json'], home)).stdout) as unknown[];
    for (const [args, message] of [
      [['--methods', 'lf-linear,nope', '--datasets', 'synth-mosi'], /unknown method 'nope'/],
      [['--methods', 'lf-linear', '--datasets', 'synth-mosi,nowhere'], /unknown dataset 'nowhere'/],
      [['--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', '1111,x'], /--seeds: 'x' is not a non-negative integer/],
      [['--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', '1111,11.5'], /--seeds: '11.5'/],
      [['--methods', 'lf-linear', '--datasets', 'synth-mosi', '--vary', 'lr=0.001,-2'], /variant lr=-2/],
    ] as const) {
      const r = await hrlf(['experiment', 'create', ...args], home);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(JSON.parse((await hrlf(['runs', '--json'], home)).stdout)).toHaveLength(runsBefore.length);
    expect(JSON.parse((await hrlf(['experiment', 'list', '--json'], home)).stdout)).toHaveLength(listBefore.length);

    const queued = await hrlf(['experiment', 'create', '--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', '7', '--json'], home);
    const id = (JSON.parse(queued.stdout) as { id: number }).id;
    const file = join(home, 'nothing.tex');
    const r = await hrlf(['export', '--experiment', String(id), '--format', 'latex', '--out', file], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no finished runs/);
    expect(existsSync(file)).toBe(false);
    // Leave the queue as we found it for the next test.
    const wb = new Workbench({ home, mode: 'cli', workQueue: false });
    for (const run of wb.store.runs.listByExperiment(id)) wb.runs.cancel(run.id);
    wb.close();
  });

  it("reproduce --table 3 on an imported real dataset: queued, worked off by `hrlf queue --run`, rendered beside the paper's numbers", async () => {
    const imported = await hrlf(['import', join(ROOT, 'test', 'fixtures', 'import', 'mult_mosi_p4_float64.pkl')], home);
    expect(imported.code, imported.stderr).toBe(0);
    const plan = await hrlf(['reproduce', '--table', '3', '--methods', 'lf-linear', '--seeds', '2', '--epochs', '1', '--json'], home);
    expect(plan.code, plan.stderr).toBe(0);
    const started = JSON.parse(plan.stdout) as ReproduceStarted;
    expect(started.plan.datasets).toEqual([expect.objectContaining({ dataset: 'mult_mosi_p4_float64', synthetic: false })]);
    expect(started.experiment.counts.queued).toBe(2);

    const worked = await hrlf(['queue', '--run', '--json'], home);
    expect(worked.code, worked.stderr).toBe(0);

    const shown = await hrlf(['reproduce', '--table', '3', '--experiment', String(started.experiment.id), '--json'], home);
    expect(shown.code, shown.stderr).toBe(0);
    const results = JSON.parse(shown.stdout) as ExperimentResults;
    const t = results.tables[0]!;
    expect(t.id).toBe('table3');
    expect(t.blocks[0]!).toMatchObject({ dataset: 'mult_mosi_p4_float64', synthetic: false });
    expect(t.blocks[0]!.rows.map((x) => [x.label, x.state])).toEqual([
      ['HRLF', expect.stringMatching(/^not (run|implemented)$/)],
      ['w/o FRF', expect.stringMatching(/^not (run|implemented)$/)],
      ['w/o HMI', expect.stringMatching(/^not (run|implemented)$/)],
      ['w/o HAL', expect.stringMatching(/^not (run|implemented)$/)],
      ['Late fusion (linear)', 'done'],
    ]);
    const hrlfRow = t.blocks[0]!.rows[0]!;
    expect(hrlfRow.cells.every((c) => c.paper !== null && c.ours === null)).toBe(true);
    expect(results.curves[0]!.figure).toBe('Figure 5');

    const text = await hrlf(['reproduce', '--table', '3', '--experiment', String(started.experiment.id)], home);
    expect(text.stdout).toMatch(/HRLF\s+paper\s+\d+\.\d\d/);

    // The plan now has a measurement: the run count and the estimated time, as the UI shows them.
    const again = await hrlf(['reproduce', '--table', '3', '--methods', 'lf-linear', '--seeds', '3', '--epochs', '2', '--plan'], home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^3 runs: 1 method\(s\) × 1 dataset\(s\) × seeds 1111, 1112, 1113; epochs 2; reference none$/m);
    expect(again.stdout).toMatch(/^time: about \d+ (s|min \d+ s) with 2 runs at a time \(measured from finished runs\)$/m);
    expect(again.stdout).toMatch(/^MOSI\s+mult_mosi_p4_float64\s+the newest imported MOSI dataset$/m);
  });
});
