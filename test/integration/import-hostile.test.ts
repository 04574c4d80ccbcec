/**
 * Issue 9, items 8–10 through the real CLI and the contract: each hostile file exits 2 with one
 * line naming the file and the reason (no HDF5-DIAG noise, no stack trace), and leaves the store
 * and the datasets folder as they were; a bounded fuzz of mutated pickles through the import
 * service leaves exactly the imports that succeeded.
 */
import { cpSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/services/api';
import { createRng } from '../../src-main/engine/random';
import { datasetsSnapshot, hrlf, requireBuild, tempHome } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string): string => join(FIXTURES, name);
const home = tempHome('hrlf-import-hostile-');
const scratch = tempHome('hrlf-hostile-files-');

beforeAll(() => requireBuild());

function truncatedCsdFolder(): string {
  const folder = join(scratch, 'csd');
  cpSync(join(FIXTURES, 'csd', 'mosi'), folder, { recursive: true });
  const victim = join(folder, 'CMU_MOSI_COVAREP.csd');
  truncateSync(victim, Math.floor(statSync(victim).size / 2));
  return folder;
}

function deepNesting(): string {
  const file = join(scratch, 'deep.pkl');
  const N = 200_000;
  writeFileSync(file, Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(N, ']'), Buffer.alloc(N - 1, 'a'), Buffer.from('.')]));
  return file;
}

describe('hostile files through `hrlf import` (issue 9, items 8 and 9)', () => {
  const cases: [string, () => string, RegExp][] = [
    ['hostile_shared_list_id.pkl', () => fixture('hostile_shared_list_id.pkl'), /refused: shared references/],
    ['hostile_shared_tuple_key.pkl', () => fixture('hostile_shared_tuple_key.pkl'), /refused: shared references/],
    ['hostile_shared_array_rows.pkl', () => fixture('hostile_shared_array_rows.pkl'), /refused: shared references/],
    ['200,000 nested lists', deepNesting, /refused: values are nested more than 100 levels deep/],
    ['a truncated .csd in a folder', truncatedCsdFolder, /CMU_MOSI_COVAREP\.csd: cannot be read as HDF5 \(truncated file/],
    ['hostile_empty_splits_huge_shapes.pkl', () => fixture('hostile_empty_splits_huge_shapes.pkl'), /train\.text: has 1,000,000,000,000 time steps/],
    ['hostile_empty_valid_split.pkl', () => fixture('hostile_empty_valid_split.pkl'), /valid: has 0 samples/],
  ];
  it.each(cases)('%s: exit 2, one line with the reason, store and folder unchanged', async (_name, file, reason) => {
    const path = file();
    const before = datasetsSnapshot(home);
    const r = await hrlf(['import', path], home, 120_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toContain('HDF5-DIAG');
    expect(r.stderr).not.toMatch(/\n\s+at |RangeError|Maximum call stack/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(datasetsSnapshot(home)).toEqual(before);
  });

  it('a protocol-2 pickle holding empty bytes imports (exit 0)', async () => {
    const r = await hrlf(['import', fixture('mult_mosi_p2_empty_bytes.pkl')], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('mult_mosi_p2_empty_bytes');
  });
});

describe('datasets.import never echoes a file (issue 9, item 10)', () => {
  it('a readable text file: the error names it and what was expected, not its first line', async () => {
    const secret = join(scratch, 'shadow');
    writeFileSync(secret, 'root:$6$s3cr3t-hash-do-not-show:19000:0:99999:7:::\n');
    const wb = new Workbench({ home: tempHome('hrlf-echo-'), mode: 'browser', workQueue: false });
    try {
      const r = await wb.call('datasets.import', { path: secret });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'path' } });
      const message = r.ok ? '' : r.error.message;
      expect(message).toContain(secret);
      expect(message).toMatch(/is a text file, not a pickle; expected a MulT or MMSA dataset pickle/);
      expect(message).not.toMatch(/root:|s3cr3t/);
    } finally {
      wb.close();
    }
  });
});

describe('import service fuzz (issue 9, "done means")', () => {
  it('12 mutated pickles at once: each imports or is refused as invalid input; the store holds exactly the imports', async () => {
    const rng = createRng('import-service-fuzz');
    const bases = ['mult_mosi_p2_float32.pkl', 'mult_mosi_p4_float64.pkl', 'mmsa_aligned_p4.pkl', 'mult_mosi_numpy2_p5.pkl'];
    const files = Array.from({ length: 12 }, (_, i) => {
      const b = Buffer.from(readFileSync(fixture(bases[i % bases.length]!)));
      // One to three byte edits in the first half (structure), or a truncation.
      if (rng.next() < 0.2) return write(i, b.subarray(0, rng.int(b.length)));
      for (let e = 0; e < 1 + rng.int(3); e++) b[rng.int(b.length >> 1)] = rng.int(256);
      return write(i, b);
    });
    function write(i: number, bytes: Uint8Array): string {
      const f = join(scratch, `fuzz-${i}.pkl`);
      writeFileSync(f, bytes);
      return f;
    }
    const fuzzHome = tempHome('hrlf-import-fuzz-');
    const wb = new Workbench({ home: fuzzHome, mode: 'browser', workQueue: false });
    try {
      const results = await Promise.all(files.map((path) => wb.call('datasets.import', { path })));
      const imported = new Set<string>();
      results.forEach((r, i) => {
        if (r.ok) imported.add((r.output as { id: string }).id);
        else {
          expect(r.error.code, `${files[i]}: ${r.error.message}`).toBe('invalid_input');
          expect(r.error.message.startsWith(files[i]!), r.error.message).toBe(true);
        }
      });
      const snap = datasetsSnapshot(fuzzHome);
      expect(new Set((snap.rows as { id: string }[]).map((row) => row.id))).toEqual(imported);
      expect(snap.files.sort()).toEqual([...imported].map((id) => `${id}.hrlfds`).sort());
      expect(readdirSync(join(fuzzHome, 'datasets')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    } finally {
      wb.close();
    }
  }, 300_000);
});
