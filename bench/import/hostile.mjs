#!/usr/bin/env node
/**
 * What hostile files cost the importer (issue 9, item 8): for each file, in a fresh Node process,
 * the wall time of importDatasetFile and how far the process's resident memory rose above where it
 * stood before the call (peak RSS, VmHWM, reset through /proc/self/clear_refs first), beside the
 * same for a valid tiny pickle. Also counts HDF5-DIAG lines on stderr. Not a test; Linux; loads
 * the TypeScript importer through Vite's module runner (no build needed):
 *
 *   node bench/import/hostile.mjs
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

const vmKb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);

if (process.argv[2] === '--one') {
  const { runnerImport } = await import('vite');
  const { module: importer } = await runnerImport(path.join(here, 'hostile-harness.ts'), { configFile: false, logLevel: 'error', root });
  const before = vmKb('VmRSS');
  writeFileSync('/proc/self/clear_refs', '5'); // peak RSS := current RSS
  const t0 = performance.now();
  let outcome;
  try {
    await importer.importDatasetFile(process.argv[3]);
    outcome = 'imported';
  } catch (err) {
    outcome = `${err.code ?? err.name}: ${String(err.message).split(': ').slice(1).join(': ').slice(0, 100)}`;
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, riseMb: (vmKb('VmHWM') - before) / 1024, outcome }) + '\n');
  process.exit(0);
}

const fixtures = path.join(root, 'test', 'fixtures', 'import');
const scratch = mkdtempSync(path.join(tmpdir(), 'hrlf-bench-hostile-'));
const deep = path.join(scratch, 'deep_200k.pkl');
writeFileSync(deep, Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(200_000, ']'), Buffer.alloc(199_999, 'a'), Buffer.from('.')]));
const csd = path.join(scratch, 'csd-truncated');
cpSync(path.join(fixtures, 'csd', 'mosi'), csd, { recursive: true });
const victim = path.join(csd, 'CMU_MOSI_COVAREP.csd');
truncateSync(victim, Math.floor(statSync(victim).size / 2));

const files = [
  ['valid tiny pickle (baseline)', path.join(fixtures, 'mult_mosi_p4_float64.pkl')],
  ['shared nested list at train.id (2.8 KB)', path.join(fixtures, 'hostile_shared_list_id.pkl')],
  ['dict key = shared nested tuple (137 B)', path.join(fixtures, 'hostile_shared_tuple_key.pkl')],
  ['one array shared 20,000 times (43 KB)', path.join(fixtures, 'hostile_shared_array_rows.pkl')],
  ['200,000 nested lists (400 KB)', deep],
  ['truncated HDF5 .csd in a folder', csd],
  ['0 samples, T = D = 10^12', path.join(fixtures, 'hostile_empty_splits_huge_shapes.pkl')],
  ['extra: valid .csd folder (baseline)', path.join(fixtures, 'csd', 'mosi')],
];

console.log('file | ms | RSS rise (MB) | HDF5-DIAG lines | outcome');
for (const [what, file] of files) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const diag = (r.stderr.match(/HDF5-DIAG/g) ?? []).length;
  try {
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1));
    console.log(`${what} | ${m.ms.toFixed(0)} | ${m.riseMb.toFixed(1)} | ${diag} | ${m.outcome}`);
  } catch {
    console.log(`${what} | - | - | ${diag} | process failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
}
