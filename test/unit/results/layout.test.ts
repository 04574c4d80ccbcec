import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LONG_HEADER,
  PAPER_SCENARIO,
  PaperTablesSchema,
  ScenarioSpecSchema,
  aggregate,
  buildResults,
  compareToReference,
  latexEscape,
  longRows,
  parseMsmSubsets,
  renderLatex,
  reportedConditions,
  scenarioConfigOverrides,
  wideHeader,
  wideRows,
  type ExperimentGrid,
  type ExperimentResults,
  type ResultsOptions,
  type ResultTable,
} from '../../../src-shared/results';
import { loadResultsFixture, runResult, type FixtureRun } from './helpers';

const paper = PaperTablesSchema.parse(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'resources', 'papers', 'hrlf-tables.json'), 'utf8')));
const runs = loadResultsFixture<{ runs: FixtureRun[] }>('experiment.json').runs.map(runResult);
const IMPLEMENTED = new Set(['lf-linear', 'hrlf', 'hrlf-wo-frf', 'hrlf-wo-hmi', 'hrlf-wo-hal']);

function grid(over: Partial<ExperimentGrid> = {}): ExperimentGrid {
  return {
    methods: ['hrlf', 'hrlf-wo-hal', 'lf-linear'],
    datasets: ['synth-mosi', 'synth-iemocap'],
    seeds: [1111, 1112, 1113, 1114, 1115],
    variants: [],
    config: {},
    epochs: 1,
    preset: null,
    backend: null,
    reference: 'hrlf',
    table: null,
    scenario: { id: 1, name: 'paper', spec: PAPER_SCENARIO },
    cells: [],
    warnings: [],
    ...over,
  };
}

function results(options: Partial<ResultsOptions> = {}, g: ExperimentGrid = grid()): ExperimentResults {
  return buildResults(
    {
      experiment: {
        id: 7,
        name: '50% & more: {test}_#1',
        createdAt: '2024-01-01T00:00:00.000Z',
        scenario: 'paper',
        methods: g.methods,
        datasets: g.datasets,
        seeds: g.seeds,
        variants: [],
        table: g.table,
        reference: g.reference,
        counts: { total: 21, queued: 0, running: 0, finished: 20, failed: 1, cancelled: 0 },
      },
      grid: g,
      runs,
      paper,
      implemented: (m) => IMPLEMENTED.has(m),
      methodLabel: (m) => (m === 'lf-linear' ? 'Late fusion (linear)' : m),
      synthetic: () => true,
      kindOf: (d) => (d === 'synth-iemocap' ? 'iemocap' : 'mosi'),
    },
    { reference: 'hrlf', test: 'welch', level: 0.95, table: null, metric: 'f1_non0', marks: 'avg', ...options },
  );
}

describe("tables in the paper's layout", () => {
  it("Table 3: our rows beside the paper's, the difference, 'not run' rows, best per column, * on Avg. only", () => {
    const r = results({ table: 3 });
    const t = r.tables[0]!;
    expect(t.id).toBe('table3');
    expect(t.columns).toEqual(['l', 'a', 'v', 'l,a', 'l,v', 'a,v', 'avg', 'l,a,v']);
    const block = t.blocks[0]!;
    expect(block).toMatchObject({ title: 'MOSI', dataset: 'synth-mosi', synthetic: true, metric: 'f1_non0' });
    expect(block.rows.map((row) => [row.label, row.state])).toEqual([
      ['HRLF', 'done'],
      ['w/o FRF', 'not run'],
      ['w/o HMI', 'not run'],
      ['w/o HAL', 'done'],
      ['Late fusion (linear)', 'partial'],
    ]);
    const { cells } = aggregate(runs, reportedConditions(PAPER_SCENARIO));
    const hrlf = block.rows[0]!;
    t.columns.forEach((condition, i) => {
      const cell = hrlf.cells[i]!;
      const agg = cells.find((c) => c.dataset === 'synth-mosi' && c.method === 'hrlf' && c.protocol === 'inter' && c.condition === condition && c.metric === 'f1_non0')!;
      expect(cell.ours!.mean).toBeCloseTo(agg.mean * 100, 10);
      expect(cell.ours!.std).toBeCloseTo(agg.std * 100, 10);
      expect(cell.paper).toBe(paper.table3.data.HRLF![condition]);
      // Synthetic data: the paper's number is kept for an explicit request, never a difference to it.
      expect(cell.diff).toBeNull();
      expect(cell.mark).toBe('');
    });
    // The not-run rows keep the paper's numbers and have none of ours.
    expect(block.rows[1]!.cells.map((c) => c.paper)).toEqual(t.columns.map((c) => paper.table3.data['w/o FRF']![c]));
    expect(block.rows[1]!.cells.every((c) => c.ours === null)).toBe(true);
    // Best per column: the row(s) with the highest mean.
    t.columns.forEach((_, i) => {
      const means = block.rows.map((row) => row.cells[i]!.ours?.mean ?? -Infinity);
      const max = Math.max(...means);
      block.rows.forEach((row, j) => expect(row.cells[i]!.best, `${row.label} col ${i}`).toBe(means[j] === max));
    });
    // Marks follow Welch's p on Avg. and nowhere else.
    const comparisons = compareToReference(r.groups, r.cells, 'hrlf', 'welch');
    for (const row of [block.rows[3]!, block.rows[4]!]) {
      row.cells.forEach((cell, i) => {
        const cmp = comparisons.find((c) => c.method === row.method && c.dataset === 'synth-mosi' && c.protocol === 'inter' && c.condition === t.columns[i] && c.metric === 'f1_non0')!;
        expect(cell.mark).toBe(t.columns[i] === 'avg' ? cmp.mark : '');
        expect(cell.p).toBeCloseTo(cmp.welch.p, 12);
      });
    }
    expect(block.rows[4]!.note).toContain('4/5 runs finished');
    expect(block.rows[0]!.note).toContain('reference');
  });

  it("on the real dataset the difference to the paper's number is given", () => {
    const real = buildResults(
      {
        ...{ experiment: results().experiment, grid: grid(), runs, paper },
        implemented: (m) => IMPLEMENTED.has(m),
        methodLabel: (m) => m,
        synthetic: () => false,
        kindOf: (d) => (d === 'synth-iemocap' ? 'iemocap' : 'mosi'),
      },
      { reference: 'hrlf', test: 'welch', level: 0.95, table: 3, metric: 'f1_non0', marks: 'avg' },
    );
    const block = real.tables[0]!.blocks[0]!;
    expect(block.synthetic).toBe(false);
    for (const cell of block.rows[0]!.cells) expect(cell.diff).toBeCloseTo(cell.ours!.mean - cell.paper!, 10);
    // One name per metric: ours, not the transcription's label.
    expect(real.tables[0]!.metricLabel).toBe('F1 (Non0) %');
  });

  it('Table 2: one block per emotion (Happy, Sad, Angry, Neutral), per-emotion F1, every paper row', () => {
    const t = results({ table: 2 }).tables[0]!;
    expect(t.blocks.map((b) => [b.title, b.metric, b.dataset])).toEqual([
      ['Happy', 'Happy.f1', 'synth-iemocap'],
      ['Sad', 'Sad.f1', 'synth-iemocap'],
      ['Angry', 'Angry.f1', 'synth-iemocap'],
      ['Neutral', 'Neutral.f1', 'synth-iemocap'],
    ]);
    const happy = t.blocks[0]!;
    // Self-MM runs without ULGM on IEMOCAP, and its row says so (baselines.md §2); it still takes the paper's Self-MM numbers.
    const names = Object.keys(paper.table2.data).map((l) => (l === 'Self-MM' ? 'Self-MM (no ULGM)' : l));
    expect(happy.rows.map((r) => r.label)).toEqual([...names, 'Late fusion (linear)']);
    expect(happy.rows.find((r) => r.label === 'Self-MM (no ULGM)')!.paperLabel).toBe('Self-MM');
    const hrlf = happy.rows.find((r) => r.label === 'HRLF')!;
    expect(hrlf.state).toBe('done');
    expect(hrlf.cells.find((c) => c.condition === 'avg')!.paper).toBe(paper.table2.data.HRLF!.Happy!.avg);
    expect(happy.rows.find((r) => r.label === 'CorrKD')!.state).toBe('not implemented');
  });

  it("an experiment's own table: a block per dataset (IEMOCAP per emotion), only its rows, MAE best = lowest", () => {
    const own = results().tables[0]!;
    expect(own.id).toBe('experiment');
    expect(own.blocks.map((b) => b.title)).toEqual(['synth-mosi', 'synth-iemocap: Happy', 'synth-iemocap: Sad', 'synth-iemocap: Angry', 'synth-iemocap: Neutral']);
    expect(own.blocks[0]!.rows.map((r) => r.label)).toEqual(['HRLF', 'w/o HAL', 'Late fusion (linear)']);
    expect(own.blocks[0]!.rows[0]!.cells[0]!.paper).toBe(paper.table1.data.MOSI!.HRLF!.l);
    const mae = results({ metric: 'mae' }).tables[0]!;
    expect(mae.percent).toBe(false);
    const block = mae.blocks[0]!;
    expect(block.metric).toBe('mae');
    block.rows[0]!.cells.forEach((_, i) => {
      const means = block.rows.map((r) => r.cells[i]!.ours!.mean);
      block.rows.forEach((r, j) => expect(r.cells[i]!.best).toBe(means[j] === Math.min(...means)));
    });
    expect(block.rows.every((r) => r.cells.every((c) => c.paper === null))).toBe(true);
  });

  it('curves: metric vs p per method with the mean and CI band in display units', () => {
    const r = results();
    const mosi = r.curves.find((c) => c.dataset === 'synth-mosi')!;
    expect(mosi).toMatchObject({ figure: 'Figure 4', metric: 'f1_non0', percent: true });
    expect(mosi.series.map((s) => s.label)).toEqual(['HRLF', 'w/o HAL', 'Late fusion (linear)']);
    const cell = r.cells.find((c) => c.dataset === 'synth-mosi' && c.method === 'hrlf' && c.protocol === 'intra' && c.condition === '0.5' && c.metric === 'f1_non0')!;
    const point = mosi.series[0]!.points.find((p) => p.p === 0.5)!;
    expect(point.mean).toBeCloseTo(cell.mean * 100, 10);
    expect(point.ciLow).toBeCloseTo(cell.ciLow * 100, 10);
    expect(point.ciHigh).toBeCloseTo(cell.ciHigh * 100, 10);
    expect(mosi.series[0]!.points.map((p) => p.p)).toEqual([0, 0.5, 1]);
    expect(r.curves.filter((c) => c.dataset === 'synth-iemocap').map((c) => c.metric)).toEqual(['Happy.f1', 'Sad.f1', 'Angry.f1', 'Neutral.f1']);
    expect(results({ table: 3 }, grid({ table: 3 })).curves[0]!.figure).toBe('Figure 5');
  });

  it('reports only what the scenario selects: no Avg. without all six missing conditions', () => {
    const spec = ScenarioSpecSchema.parse({ evaluation: { inter: ['l,a,v', 'l,v'], intra: [0, 0.5] } });
    const r = results({}, grid({ scenario: { id: 2, name: 'audio', spec } }));
    expect(r.tables[0]!.columns).toEqual(['l,v', 'l,a,v']);
    expect(new Set(r.cells.map((c) => c.condition))).toEqual(new Set(['l,v', 'l,a,v', '0.0', '0.5']));
  });
});

describe('scenarios', () => {
  it('defaults to the paper protocol and sets knobs only where it departs from it', () => {
    expect(ScenarioSpecSchema.parse({})).toEqual(PAPER_SCENARIO);
    expect(scenarioConfigOverrides(PAPER_SCENARIO)).toEqual({});
    const audio = ScenarioSpecSchema.parse({ training: { msm: { subsets: ['l,a,v', 'l,v'], maxDropRatio: 0.5 } } });
    expect(scenarioConfigOverrides(audio)).toEqual({ msmSubsets: 'l,v;l,a,v', msmMaxDrop: 0.5 });
    expect(parseMsmSubsets('l,v;l,a,v')).toEqual(['l,v', 'l,a,v']);
    expect(() => parseMsmSubsets('l,x')).toThrow(/l,x/);
    expect(reportedConditions(PAPER_SCENARIO).inter).toEqual(['l', 'a', 'v', 'l,a', 'l,v', 'a,v', 'avg', 'l,a,v']);
    expect(reportedConditions(PAPER_SCENARIO).intra).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
  });

  it.each([
    [{ evaluation: { intra: [0.25] } }, 'evaluation.intra.0'],
    [{ evaluation: { inter: ['l', 'l'] } }, 'evaluation.inter'],
    [{ evaluation: { maskSeed: 1.5 } }, 'evaluation.maskSeed'],
    [{ training: { msm: { subsets: [] } } }, 'training.msm.subsets'],
    [{ training: { msm: { maxDropRatio: 2 } } }, 'training.msm.maxDropRatio'],
    [{ extra: 1 }, ''],
  ])('rejects %j at %s', (spec, path) => {
    const r = ScenarioSpecSchema.safeParse(spec);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toBe(path);
  });
});

describe('CSV rows', () => {
  it('long: one row per finished run × condition × metric, intra rows with their p, provenance on every row', () => {
    const rows = longRows(7, runs, reportedConditions(PAPER_SCENARIO));
    // 14 finished MOSI runs × 8 inter (incl. Avg.) + 3 intra conditions in the fixture × 4 metrics; 6 IEMOCAP runs × 11 × 8.
    expect(rows).toHaveLength(14 * 11 * 4 + 6 * 11 * 8);
    for (const r of rows) expect(r).toHaveLength(LONG_HEADER.length);
    const col = (name: (typeof LONG_HEADER)[number]): number => LONG_HEADER.indexOf(name);
    const intra = rows.find((r) => r[col('protocol')] === 'intra' && r[col('p')] === '1.0' && r[col('metric')] === 'corr')!;
    expect(intra[col('condition')]).toBe('intra');
    expect(intra[col('value')]).toBe('');
    const emotion = rows.find((r) => r[col('dataset')] === 'synth-iemocap')!;
    expect([emotion[col('class')], emotion[col('metric')]]).toEqual(['Neutral', 'f1']);
    expect(rows[0]!.slice(0, 14)).toEqual([7, 1, 'synth-mosi', 'mosi', 'sha-synth-mosi', 'hrlf', '', 1111, 'hash-hrlf', 'abc123', 'cpu', 'host-a', 0, 'inter']);
  });

  it("wide: the paper's layout, mean ± std per condition, our row and the paper's", () => {
    const r = results({ table: 3 });
    const t = r.tables[0]!;
    const header = wideHeader(t);
    expect(header.slice(8, 16)).toEqual(['{l}', '{a}', '{v}', '{l,a}', '{l,v}', '{a,v}', 'Avg.', '{l,a,v}']);
    // Synthetic data: the paper's rows only on request (paperRows), and marked as the real data's.
    expect(wideRows(t, r.groups, runs).some((row) => String(row[5]).startsWith('paper'))).toBe(false);
    const rows = wideRows(t, r.groups, runs, { paper: true });
    for (const row of rows) expect(row).toHaveLength(header.length);
    const ours = rows.find((row) => row[3] === 'HRLF' && row[5] === 'ours')!;
    expect(ours[2]).toBe('F1 (Non0) %');
    expect(ours[header.indexOf('statistic')]).toBe('mean ± sample std over n seeds');
    const avg = t.blocks[0]!.rows[0]!.cells[6]!;
    expect(ours[header.indexOf('Avg.')]).toBe(`${avg.ours!.mean.toFixed(2)} ± ${avg.ours!.std.toFixed(2)}`);
    expect(ours[header.indexOf('seeds')]).toBe('1111 1112 1113 1114 1115');
    const paperRow = rows.find((row) => row[3] === 'HRLF' && row[5] === 'paper (real data)')!;
    expect(paperRow[header.indexOf('Avg.')]).toBe(paper.table3.data.HRLF!.avg!.toFixed(2));
    expect(rows.filter((row) => row[3] === 'w/o FRF').map((row) => row[5])).toEqual(['paper (real data)']);
  });
});

describe('LaTeX', () => {
  it('escapes the special characters and spells what pdflatex does not know', () => {
    expect(latexEscape('a_b & c% $x# {y} ~^\\ <|>')).toBe('a\\_b \\& c\\% \\$x\\# \\{y\\} \\textasciitilde{}\\textasciicircum{}\\textbackslash{} \\textless{}\\textbar{}\\textgreater{}');
    expect(latexEscape('Δ±…é中\n')).toBe('$\\Delta$$\\pm$\\ldots{}é? ');
  });

  function table(): { t: ResultTable; tex: string } {
    const r = results({ table: 3 });
    const t = { ...r.tables[0]!, caption: `${r.experiment.name} — 100% sure` };
    t.blocks = t.blocks.map((b) => ({ ...b, title: 'mosi_data #2', dataset: 'mosi_data#2' }));
    return { t, tex: renderLatex(t, { paperRows: true, comments: ['made by\nthe workbench'], label: 'tab:exp_7' }) };
  }

  it('renders booktabs with mean ± std, the best per column bold, * on significant Avg., caption and label', () => {
    const { t, tex } = table();
    expect(tex).toMatch(/\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
    expect(tex).toContain('\\caption{50\\% \\& more: \\{test\\}\\_\\#1 --- 100\\% sure.');
    expect(tex).toContain('\\label{tab:exp-7}');
    // The paper's condition names, as everywhere else.
    expect(tex).toContain('Method & \\{l\\} & \\{a\\} & \\{v\\} & \\{l,a\\} & \\{l,v\\} & \\{a,v\\} & Avg. & \\{l,a,v\\} \\\\');
    expect(tex).toContain('% made by the workbench');
    expect(tex).toContain('\\textit{mosi\\_data \\#2 (synthetic: mosi\\_data\\#2)}');
    const hrlf = t.blocks[0]!.rows[0]!;
    const first = hrlf.cells[0]!;
    const text = `${first.ours!.mean.toFixed(2)} $\\pm$ ${first.ours!.std.toFixed(2)}`;
    expect(tex).toContain(first.best ? `\\textbf{${text}}` : text);
    for (const row of t.blocks[0]!.rows.filter((r) => r.method !== null)) {
      const avg = row.cells[6]!;
      const body = `${avg.ours!.mean.toFixed(2)}${avg.mark ? '$^{*}$' : ''} $\\pm$ ${avg.ours!.std.toFixed(2)}`;
      expect(tex).toContain(avg.best ? `\\textbf{${body}}` : body);
    }
    expect(t.blocks[0]!.rows.some((r) => r.cells[6]!.mark === '*')).toBe(true);
    expect(tex).toContain(`w/o FRF$^{\\dagger}$ & ${paper.table3.data['w/o FRF']!.l!.toFixed(2)}`);
    expect(renderLatex(t)).not.toContain('dagger');
  });

  const pdflatex = spawnSync('pdflatex', ['--version'], { encoding: 'utf8' });
  const haveTex = pdflatex.status === 0;
  it.skipIf(!haveTex)(
    `compiles with pdflatex${haveTex ? '' : ' — SKIPPED: pdflatex not installed (Debian: apt-get install texlive-latex-base texlive-latex-extra)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hrlf-tex-'));
      writeFileSync(join(dir, 'table.tex'), table().tex);
      writeFileSync(join(dir, 'doc.tex'), '\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n\\input{table.tex}\n\\end{document}\n');
      const run = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'doc.tex'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stdout.slice(-2000)).toBe(0);
      expect(existsSync(join(dir, 'doc.pdf'))).toBe(true);
    },
  );
});
