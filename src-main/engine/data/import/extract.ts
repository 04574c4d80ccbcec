import { ImportError, type ImportErrorCode } from './errors';
import { NDArray, PyTuple, typeName, type PyDict, type PyValue } from './pickle';
import { describeTree } from './tree';

/** A numeric array converted to float32, C order. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
  /** numpy dtype in the file, e.g. '<f8' (data is float32 whatever it was). */
  sourceDtype: string;
}

const utf8 = new TextDecoder('utf-8');

/** Reads typed values out of an unpickled tree, failing with the file and key path named. */
export class Extractor {
  constructor(readonly file: string) {}

  fail(code: ImportErrorCode, keyPath: string, detail: string, tree?: PyValue): ImportError {
    return new ImportError(code, this.file, keyPath, detail, tree === undefined ? undefined : describeTree(tree));
  }

  dict(v: PyValue, keyPath: string, expected: string): PyDict {
    if (v instanceof Map) return v;
    throw this.fail('layout', keyPath, `is a ${typeName(v)}; expected ${expected}`);
  }

  /** A required key; the error lists what the dict does hold. */
  get(d: PyDict, key: string, keyPath: string, expected: string): PyValue {
    if (d.has(key)) return d.get(key) as PyValue;
    const path = keyPath ? `${keyPath}.${key}` : key;
    throw this.fail('missing-key', path, `missing; expected ${expected} (keys present: ${[...d.keys()].map(String).join(', ')})`);
  }

  /** Any numeric array: an ndarray, a list of numbers, or a list/object array of equal-shape ndarrays. */
  tensor(v: PyValue, keyPath: string): Tensor {
    if (v instanceof NDArray && v.storage.kind === 'numeric') {
      const vals = v.storage.values;
      return { shape: v.shape, data: vals instanceof Float32Array ? vals : Float32Array.from(vals), sourceDtype: v.dtype.descr };
    }
    const items = v instanceof NDArray && v.storage.kind === 'object' ? v.storage.values : Array.isArray(v) ? v : v instanceof PyTuple ? v.items : null;
    if (items === null) {
      const what = v instanceof NDArray ? `a ${v.dtype.descr} array` : `a ${typeName(v)}`;
      throw this.fail('shape', keyPath, `is ${what}; expected a numeric array`);
    }
    if (items.every((x) => typeof x === 'number' || typeof x === 'boolean')) {
      return { shape: [items.length], data: Float32Array.from(items as (number | boolean)[], Number), sourceDtype: 'list' };
    }
    return this.stack(items, keyPath);
  }

  /** Object arrays / lists of per-sample arrays (how ragged data is usually pickled). */
  private stack(items: PyValue[], keyPath: string): Tensor {
    const parts: Tensor[] = [];
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (!(x instanceof NDArray) || x.storage.kind !== 'numeric') {
        throw this.fail('shape', keyPath, `sample ${i} is a ${typeName(x)}; expected numeric arrays of one shape`);
      }
      parts.push(this.tensor(x, `${keyPath}[${i}]`));
    }
    const first = parts[0];
    if (!first) return { shape: [0], data: new Float32Array(0), sourceDtype: 'list' };
    const shape = first.shape;
    for (let i = 1; i < parts.length; i++) {
      const s = (parts[i] as Tensor).shape;
      if (s.length !== shape.length || s.some((d, j) => d !== shape[j])) {
        throw this.fail(
          'ragged',
          keyPath,
          `ragged: sample ${i} has shape [${s.join(', ')}] but sample 0 has [${shape.join(', ')}]; expected one [N, T, D] array with the same T and D for every sample`,
        );
      }
    }
    const per = first.data.length;
    const data = new Float32Array(per * parts.length);
    parts.forEach((p, i) => data.set(p.data, i * per));
    return { shape: [parts.length, ...shape], data, sourceDtype: `list of ${first.sourceDtype}` };
  }

  /** Per-sample strings (ids): S/U arrays, lists of str/bytes; rows of [N, k] are joined with '|'. */
  strings(v: PyValue, keyPath: string): string[] {
    const text = (x: PyValue): string => {
      if (typeof x === 'string') return x;
      if (x instanceof Uint8Array) return utf8.decode(x);
      if (typeof x === 'number' || typeof x === 'bigint') return String(x);
      if (Array.isArray(x) || x instanceof PyTuple) return (Array.isArray(x) ? x : x.items).map(text).join('|');
      if (x instanceof NDArray) return this.strings(x, keyPath).join('|');
      throw this.fail('shape', keyPath, `holds a ${typeName(x)}; expected strings`);
    };
    if (v instanceof NDArray) {
      const flat: string[] =
        v.storage.kind === 'string'
          ? v.storage.values
          : v.storage.kind === 'object'
            ? v.storage.values.map(text)
            : Array.from(v.storage.values, String);
      const n = v.shape[0] ?? flat.length;
      if (v.shape.length <= 1 || n === 0) return flat;
      // MulT ids are [N, 3]: join each row, so a sample keeps one id.
      const k = flat.length / n;
      return Array.from({ length: n }, (_, i) => flat.slice(i * k, (i + 1) * k).join('|'));
    }
    if (Array.isArray(v) || v instanceof PyTuple) return (Array.isArray(v) ? v : v.items).map(text);
    throw this.fail('shape', keyPath, `is a ${typeName(v)}; expected a list or array of strings`);
  }
}
