import { closeSync, openSync, readFileSync, writeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BufferSource,
  FileSource,
  NDArray,
  PickleError,
  PyTuple,
  unpickle,
  type PyDict,
  type PyValue,
  type UnpickleOptions,
} from '../../../src-main/engine/data/import/pickle';
import { countWhere, expected, finiteSum, fixture, validFixtures } from './helpers';

async function load(name: string, opts: UnpickleOptions = {}): Promise<{ value: PyValue; protocol: number; globals: string[] }> {
  const src = new FileSource(fixture(name));
  try {
    return await unpickle(src, opts);
  } finally {
    src.close();
  }
}

function dict(v: PyValue | undefined): PyDict {
  if (!(v instanceof Map)) throw new Error('not a dict');
  return v;
}

function numeric(v: PyValue | undefined): { shape: number[]; values: ArrayLike<number> } {
  if (!(v instanceof NDArray) || v.storage.kind !== 'numeric') throw new Error('not a numeric array');
  return { shape: v.shape, values: v.storage.values };
}

/** Default streaming settings, a 7-byte window with everything above 16 bytes deferred, and all payloads deferred. */
const READERS: [string, UnpickleOptions][] = [
  ['defaults', {}],
  ['7-byte window, lazy > 16 B', { chunkSize: 7, lazyThreshold: 16 }],
  ['64-byte window, all lazy', { chunkSize: 64, lazyThreshold: 0 }],
];

describe('unpickle: valid fixtures against numpy', () => {
  for (const [name, exp] of validFixtures()) {
    for (const [label, opts] of READERS) {
      it(`${name} (${label})`, async () => {
        const { value, protocol } = await load(name, opts);
        expect(protocol).toBe(exp.protocol === 0 ? 0 : exp.protocol);
        const top = dict(value);
        for (const split of ['train', 'valid', 'test'] as const) {
          const s = dict(top.get(split));
          const e = exp.splits?.[split];
          if (!e) throw new Error('fixture has no expectations');
          for (const [m, key] of [['l', 'text'], ['a', 'audio'], ['v', 'vision']] as const) {
            const a = numeric(s.get(key));
            expect(a.shape).toEqual(e[m].shape);
            expect(countWhere(a.values, Number.isNaN)).toBe(e[m].nan);
            expect(countWhere(a.values, (x) => x === Infinity)).toBe(e[m].posInf);
            expect(countWhere(a.values, (x) => x === -Infinity)).toBe(e[m].negInf);
            expect(finiteSum(a.values)).toBeCloseTo(e[m].sum, 3);
          }
        }
      });
    }
  }
});

describe('unpickle: numpy details', () => {
  it('big-endian float64/float32 and Fortran-order arrays equal the little-endian C-order file element by element', async () => {
    const ref = dict((await load('mult_mosi_p5_float32.pkl')).value);
    for (const name of ['mult_mosi_bigendian_fortran_p4.pkl', 'mult_mosi_bigendian_fortran_p5.pkl']) {
      for (const [, opts] of READERS) {
        const got = dict((await load(name, opts)).value);
        for (const split of ['train', 'valid', 'test']) {
          for (const key of ['text', 'audio', 'vision', 'labels']) {
            const a = numeric(dict(got.get(split)).get(key));
            const b = numeric(dict(ref.get(split)).get(key));
            expect(a.shape).toEqual(b.shape);
            expect(Array.from(a.values)).toEqual(Array.from(b.values));
          }
        }
      }
    }
  });

  it('reads numpy 2 module paths (numpy._core.*) and reports the globals used', async () => {
    const p5 = await load('mult_mosi_numpy2_p5.pkl');
    expect(p5.globals).toContain('numpy._core.numeric._frombuffer');
    expect(p5.globals.some((g) => g.startsWith('numpy.core.'))).toBe(false);
    const p2 = await load('mult_mosi_numpy2_p2.pkl');
    expect(p2.globals).toContain('numpy._core.multiarray._reconstruct');
    expect(p2.globals).toContain('_codecs.encode');
    const mmsa = await load('mmsa_aligned_numpy2_p2.pkl');
    expect(mmsa.globals).toContain('numpy._core.multiarray._reconstruct');
  });

  it('decodes S-dtype ids [N, 3] and numpy scalars in lists', async () => {
    const top = dict((await load('mult_mosi_p4_float64.pkl')).value);
    const id = dict(top.get('train')).get('id');
    expect(id).toBeInstanceOf(NDArray);
    if (!(id instanceof NDArray) || id.storage.kind !== 'string') throw new Error('ids');
    expect(id.shape).toEqual([4, 3]);
    expect(id.storage.values.slice(0, 3)).toEqual(['vid0', '0', '1']);

    const mmsa = dict((await load('mmsa_aligned_p5_f64_scalars.pkl')).value);
    const labels = dict(mmsa.get('train')).get('regression_labels');
    expect(Array.isArray(labels)).toBe(true);
    const uid = dict(mmsa.get('train')).get('id');
    if (!(uid instanceof NDArray) || uid.storage.kind !== 'string') throw new Error('U ids');
    expect(uid.dtype.descr).toMatch(/^<U\d+$/);
    expect(uid.storage.values[1]).toBe('videotrain0$_$2');
    const exp = expected.files['mmsa_aligned_p5_f64_scalars.pkl']?.splits?.train.labels.map((r) => r[0]);
    expect((labels as number[]).map((v) => Math.fround(v))).toEqual(exp?.map((v) => Math.fround(v ?? NaN)));
  });

  it('keeps object arrays, lists and strings', async () => {
    const top = dict((await load('mmsa_aligned_p4.pkl', { chunkSize: 5, lazyThreshold: 8 })).value);
    const train = dict(top.get('train'));
    expect(train.get('raw_text')).toEqual(['clip 0 of train', 'clip 1 of train', 'clip 2 of train', 'clip 3 of train']);
    const id = train.get('id');
    if (!(id instanceof NDArray) || id.storage.kind !== 'object') throw new Error('ids');
    expect(id.storage.values[0]).toBe('videotrain0$_$1');
    const tok = numeric(train.get('text_bert'));
    expect(tok.values).toBeInstanceOf(Float64Array); // int64 → float64 (exact)
    expect(tok.values[0]).toBe(101);
  });

  it('reads Python 2 style pickles: byte-string keys, dtype specs and array data', async () => {
    const top = dict((await load('mult_mosi_py2style_p2.pkl', { chunkSize: 7, lazyThreshold: 16 })).value);
    expect([...top.keys()]).toEqual(['train', 'valid', 'test']);
    const audio = numeric(dict(top.get('train')).get('audio'));
    expect(audio.shape).toEqual([4, 5, 3]);
  });

  it('reads scalars, ints, floats, tuples and sets written by hand', async () => {
    // CPython: pickle.dumps({'a': (1, -2, 3.5, True, None), 'b': 2**70, 'c': [300, 70000], 'd': b'xy'}, 4)
    const blob = Buffer.from(
      '80049546000000000000007d94288c016194284b014afeffffff47400c000000000000884e74948c0162948a09000000000000000040' +
        '8c0163945d94284d2c014a70110100658c0164944302787994752e',
      'hex',
    );
    const { value } = await unpickle(new BufferSource(blob));
    const d = dict(value);
    const a = d.get('a');
    expect(a).toBeInstanceOf(PyTuple);
    expect((a as PyTuple).items).toEqual([1, -2, 3.5, true, null]);
    expect(d.get('b')).toBe(2n ** 70n);
    expect(d.get('c')).toEqual([300, 70000]);
    expect(d.get('d')).toEqual(new Uint8Array([0x78, 0x79]));
  });
});

describe('unpickle: refusals', () => {
  it('refuses os.system without executing anything, naming the global', async () => {
    const err = await load('broken_os_system.pkl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PickleError);
    expect((err as PickleError).code).toBe('unsafe-global');
    expect((err as PickleError).globalName).toBe('os.system');
    expect((err as PickleError).message).toMatch(/'os\.system'.*nothing in the file was executed/);
  });

  it('refuses any other global, e.g. builtins.eval via STACK_GLOBAL', async () => {
    // pickle.dumps of REDUCE(builtins.eval, ('1',)) in protocol 4
    const blob = Buffer.from('80048c086275696c74696e73948c046576616c9493948c013194859452942e', 'hex');
    await expect(unpickle(new BufferSource(blob))).rejects.toThrow(/'builtins\.eval'/);
  });

  it('refuses out-of-band buffers with an explanation', async () => {
    await expect(load('broken_out_of_band_p5.pkl')).rejects.toThrow(/out-of-band buffers/);
  });

  it('reports truncation with the position', async () => {
    const err = await load('broken_truncated.pkl', { chunkSize: 7 }).catch((e: unknown) => e);
    expect((err as PickleError).code).toBe('truncated');
    expect((err as PickleError).message).toMatch(/file ends at byte \d+/);
  });

  it('says a text file is not a pickle', async () => {
    const err = await load('broken_text_renamed.pkl').catch((e: unknown) => e);
    expect((err as PickleError).code).toBe('not-pickle');
  });
});

/** A hand-written protocol-4 pickle of one float64 array [rows, cols] of value i * 0.25, written in pieces. */
function writeBigPickle(file: string, rows: number, cols: number): void {
  const head = Buffer.concat([
    Buffer.from('8004', 'hex'),
    Buffer.from('8c156e756d70792e636f72652e6d756c746961727261798c0c5f7265636f6e7374727563749394', 'hex'), // numpy.core.multiarray _reconstruct
    Buffer.from('8c056e756d70798c076e6461727261799394', 'hex'), // numpy ndarray
    Buffer.from('4b00854301628752', 'hex'), // (0,), b'b' → REDUCE
    Buffer.from('284b01', 'hex'), // MARK, version 1
    Buffer.concat([Buffer.from('4a', 'hex'), u32(rows), Buffer.from('4a', 'hex'), u32(cols), Buffer.from('86', 'hex')]), // shape
    Buffer.from('8c056e756d70798c0564747970659394', 'hex'), // numpy dtype
    Buffer.from('8c02663889888752', 'hex'), // ('f8', False, True) → REDUCE
    Buffer.from('284b038c013c4e4e4e4affffffff4affffffff4b007462', 'hex'), // state → BUILD
    Buffer.from('89', 'hex'), // is_fortran False
    Buffer.concat([Buffer.from('8e', 'hex'), u64(rows * cols * 8)]), // BINBYTES8
  ]);
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  const per = 1 << 16;
  const chunk = new Float64Array(per);
  for (let at = 0; at < rows * cols; at += per) {
    const n = Math.min(per, rows * cols - at);
    for (let i = 0; i < n; i++) chunk[i] = (at + i) * 0.25;
    writeSync(fd, new Uint8Array(chunk.buffer, 0, n * 8));
  }
  writeSync(fd, Buffer.from('74622e', 'hex')); // TUPLE, BUILD, STOP
  closeSync(fd);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
}

function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

describe('unpickle: streaming', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hrlf-pickle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a 32 MB float64 payload into float32 with memory near the float32 size', async () => {
    const rows = 4096;
    const cols = 1024;
    const file = path.join(dir, 'big.pkl');
    writeBigPickle(file, rows, cols);
    const f32Bytes = rows * cols * 4;
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    const progress: number[] = [];
    const src = new FileSource(file);
    const { value } = await unpickle(src, {
      chunkSize: 1 << 20,
      progressEveryBytes: 1 << 20,
      onProgress: (done) => {
        progress.push(done);
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      },
    });
    src.close();
    const a = numeric(value);
    expect(a.shape).toEqual([rows, cols]);
    expect(a.values).toBeInstanceOf(Float32Array);
    expect(a.values[0]).toBe(0);
    expect(a.values[12345]).toBe(12345 * 0.25);
    expect(a.values[rows * cols - 1]).toBe((rows * cols - 1) * 0.25);
    // Progress is reported while the payload streams, and never goes backwards.
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] as number))).toBe(true);
    // The float64 payload (32 MB) is never held: only the float32 output plus one chunk.
    expect(peak - base).toBeLessThan(f32Bytes + (4 << 20));
  });

  it('a small window gives the same values as reading the whole file', async () => {
    const whole = await unpickle(new BufferSource(readFileSync(fixture('mult_mosi_p2_float32.pkl'))));
    const small = await load('mult_mosi_p2_float32.pkl', { chunkSize: 3, lazyThreshold: 0 });
    const a = numeric(dict(dict(whole.value).get('train')).get('audio'));
    const b = numeric(dict(dict(small.value).get('train')).get('audio'));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });
});
