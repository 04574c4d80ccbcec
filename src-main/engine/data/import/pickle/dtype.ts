import { PickleError } from './errors';
import { PyTuple, type PyValue } from './values';

export type ByteOrder = '<' | '>' | '|' | '=';

/**
 * A numpy dtype as pickled: `numpy.dtype('f4', False, True)` followed by BUILD with
 * (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]).
 * Only plain scalar types are accepted; structured and sub-array dtypes are refused when used.
 */
export class NpDtype {
  kind: string;
  itemsize: number;
  byteorder: ByteOrder = '|';
  /** Non-null names/fields/subarray: a record dtype this reader does not decode. */
  structured = false;

  constructor(spec: string) {
    const m = /^([<>|=]?)([a-zA-Z?])(\d*)/.exec(spec);
    if (!m) throw new PickleError('unsupported', `numpy dtype '${spec}' is not supported`);
    const order = m[1] ?? '';
    this.kind = m[2] === '?' ? 'b' : (m[2] as string);
    const n = m[3] ? Number(m[3]) : this.kind === 'b' ? 1 : 0;
    // 'U<n>' counts characters (UTF-32 in memory), everything else counts bytes.
    this.itemsize = this.kind === 'U' ? 4 * n : n;
    if (order) this.byteorder = order as ByteOrder;
    else if (this.itemsize > 1 && this.kind !== 'S' && this.kind !== 'V' && this.kind !== 'O') this.byteorder = '<';
  }

  setState(state: PyValue): void {
    if (!(state instanceof PyTuple) || state.items.length < 2) {
      throw new PickleError('malformed', 'numpy dtype state is not a tuple');
    }
    const it = state.items;
    // Python 2 pickles write the byte order as a byte string.
    const bo = it[1] instanceof Uint8Array ? String.fromCharCode(...it[1]) : it[1];
    if (bo === '<' || bo === '>' || bo === '|' || bo === '=') this.byteorder = bo;
    if (it.length >= 6) {
      this.structured = it[2] !== null || it[3] !== null || it[4] !== null;
      const elsize = it[5];
      if (typeof elsize === 'number' && elsize > 0) this.itemsize = elsize;
    }
  }

  /** numpy's `dtype.str`, e.g. '<f4', '|S3'. */
  get descr(): string {
    const size = this.kind === 'U' ? this.itemsize / 4 : this.itemsize;
    return `${this.byteorder}${this.kind}${size}`;
  }

  get isNumeric(): boolean {
    return this.kind === 'f' || this.kind === 'i' || this.kind === 'u' || this.kind === 'b';
  }
}
