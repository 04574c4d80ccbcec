import { NpDtype } from './dtype';
import { PickleError } from './errors';
import { product, type NumericData } from './elements';
import { decodeNumeric, materializeBytes, type DecodeContext, type Payload } from './payload';
import { decodeBytesString, decodeStrings } from './strings';
import { LazyBytes, LazyString, PyTuple, type PyValue } from './values';

export { NpDtype } from './dtype';

/** Array contents, always in C (row-major) order whatever the file's order was. */
export type ArrayStorage =
  | { kind: 'numeric'; values: NumericData }
  | { kind: 'string'; values: string[] }
  | { kind: 'object'; values: PyValue[] };

/**
 * A numpy array. `_reconstruct` creates an empty one and BUILD fills it in place (the memo may
 * already hold a reference), so the fields are mutable until `built`.
 */
export class NDArray {
  shape: number[] = [0];
  dtype = new NpDtype('i1');
  storage: ArrayStorage = { kind: 'numeric', values: new Int8Array(0) };
  /** Element order in the file (the storage is C order either way). */
  order: 'C' | 'F' = 'C';
  built = false;

  get size(): number {
    return product(this.shape);
  }

  /** numpy's `ndarray.__setstate__((version, shape, dtype, is_fortran, raw))`; very old pickles omit version. */
  async setState(state: PyValue, ctx: DecodeContext): Promise<void> {
    if (!(state instanceof PyTuple) || (state.items.length !== 5 && state.items.length !== 4)) {
      throw new PickleError('malformed', 'numpy array state is not a 4- or 5-tuple');
    }
    const it = state.items.length === 5 ? state.items.slice(1) : state.items;
    const [shapeV, dtypeV, fortranV, raw] = it;
    const shape = toShape(shapeV);
    if (!(dtypeV instanceof NpDtype)) throw new PickleError('malformed', 'numpy array state lacks a dtype');
    const fortran = fortranV === true || fortranV === 1;
    await this.fill(raw ?? null, dtypeV, shape, fortran, ctx);
  }

  async fill(raw: PyValue, dtype: NpDtype, shape: number[], fortran: boolean, ctx: DecodeContext): Promise<void> {
    if (dtype.structured) {
      throw new PickleError('unsupported', 'numpy arrays with structured (record) dtypes are not supported');
    }
    this.shape = shape;
    this.dtype = dtype;
    this.order = fortran ? 'F' : 'C';
    const count = product(shape);
    ctx.elements?.(count);
    if (dtype.kind === 'O') {
      // numpy pickles object arrays as a flat list of the elements, in C order.
      if (!Array.isArray(raw) || raw.length !== count) {
        throw new PickleError('malformed', `object array of shape [${shape.join(', ')}] needs a list of ${count} elements`);
      }
      this.storage = { kind: 'object', values: raw };
    } else if (dtype.kind === 'S' || dtype.kind === 'U') {
      const bytes = await materializeBytes(toPayload(raw), ctx);
      this.storage = { kind: 'string', values: decodeStrings(bytes, dtype, shape, fortran) };
    } else if (dtype.isNumeric) {
      this.storage = { kind: 'numeric', values: await decodeNumeric(toPayload(raw), dtype, shape, fortran, ctx) };
    } else {
      throw new PickleError('unsupported', `numpy arrays of dtype '${dtype.descr}' are not supported (only bool, int, uint, float, S, U and object)`);
    }
    this.built = true;
  }
}

export function toShape(v: PyValue | undefined): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : typeof v === 'number' ? [v] : null;
  if (!items || !items.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new PickleError('malformed', 'numpy array shape is not a tuple of non-negative integers');
  }
  return items as number[];
}

/** Accept every spelling of "bytes" numpy has used for the raw state. */
export function toPayload(raw: PyValue): Payload {
  if (raw instanceof Uint8Array || raw instanceof LazyBytes) return raw;
  if (typeof raw === 'string') return latin1Encode(raw);
  if (raw instanceof LazyString) return new LazyBytes(raw.source, raw.offset, raw.stored, 'latin1-utf8');
  throw new PickleError('malformed', 'numpy array data is not a bytes object');
}

export function latin1Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new PickleError('malformed', "latin-1 encoding of a string with characters above U+00FF");
    out[i] = c;
  }
  return out;
}

/** A numpy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`) as a JS value. */
export async function decodeScalar(dtype: NpDtype, raw: PyValue, ctx: DecodeContext): Promise<PyValue> {
  if (dtype.kind === 'O') return raw;
  const bytes = await materializeBytes(toPayload(raw), ctx);
  if (dtype.kind === 'S') return decodeBytesString(bytes);
  if (dtype.kind === 'U') return decodeStrings(bytes, dtype, [1], false)[0] ?? '';
  if (!dtype.isNumeric) throw new PickleError('unsupported', `numpy scalars of dtype '${dtype.descr}' are not supported`);
  if (dtype.kind === 'f' && dtype.itemsize === 8 && bytes.length === 8) {
    // Keep a float64 scalar's full precision; only arrays are narrowed to float32.
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, dtype.byteorder !== '>');
  }
  const values = await decodeNumeric(bytes, dtype, [1], false, ctx);
  const v = values[0] as number;
  return dtype.kind === 'b' ? v !== 0 : v;
}
