import type { NpDtype } from './dtype';
import { PickleError } from './errors';

/**
 * Turning array payload bytes into typed arrays. Floats always become float32 (the workbench
 * trains in float32, and converting while streaming keeps peak memory at the float32 size);
 * int64/uint64 become float64 (exact up to 2^53); other ints and bools keep their own type.
 */
export type NumericData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function needsSwap(dtype: NpDtype): boolean {
  if (dtype.itemsize <= 1) return false;
  return (dtype.byteorder === '>' && HOST_LE) || (dtype.byteorder === '<' && !HOST_LE);
}

function unsupportedDtype(dtype: NpDtype): PickleError {
  return new PickleError('unsupported', `numpy arrays of dtype '${dtype.descr}' are not supported (only bool, int, uint, float, S and U)`);
}

/** Output element type for a numeric dtype, and whether stored bytes can be copied as they are. */
export function outputFor(dtype: NpDtype): { make: (n: number) => NumericData; direct: boolean } {
  const { kind, itemsize } = dtype;
  const key = `${kind}${itemsize}`;
  switch (key) {
    case 'f4':
      return { make: (n) => new Float32Array(n), direct: true };
    case 'f8':
    case 'f2':
      return { make: (n) => new Float32Array(n), direct: false };
    case 'i1':
      return { make: (n) => new Int8Array(n), direct: true };
    case 'u1':
    case 'b1':
      return { make: (n) => new Uint8Array(n), direct: true };
    case 'i2':
      return { make: (n) => new Int16Array(n), direct: true };
    case 'u2':
      return { make: (n) => new Uint16Array(n), direct: true };
    case 'i4':
      return { make: (n) => new Int32Array(n), direct: true };
    case 'u4':
      return { make: (n) => new Uint32Array(n), direct: true };
    case 'i8':
    case 'u8':
      return { make: (n) => new Float64Array(n), direct: false };
    default:
      throw unsupportedDtype(dtype);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Decodes `m` elements sitting at the start of an aligned, host-endian buffer into values of the
 * output type. Returns a view or a reused temp array.
 */
function elementDecoder(dtype: NpDtype, maxElems: number): (buf: ArrayBuffer, m: number) => NumericData {
  const key = `${dtype.kind}${dtype.itemsize}`;
  switch (key) {
    case 'f4':
      return (b, m) => new Float32Array(b, 0, m);
    case 'f8': {
      const tmp = new Float32Array(maxElems);
      return (b, m) => {
        const src = new Float64Array(b, 0, m);
        for (let i = 0; i < m; i++) tmp[i] = src[i] as number;
        return tmp.subarray(0, m);
      };
    }
    case 'f2': {
      const tmp = new Float32Array(maxElems);
      return (b, m) => {
        const src = new Uint16Array(b, 0, m);
        for (let i = 0; i < m; i++) tmp[i] = halfToFloat(src[i] as number);
        return tmp.subarray(0, m);
      };
    }
    case 'i8':
    case 'u8': {
      const tmp = new Float64Array(maxElems);
      const signed = dtype.kind === 'i';
      return (b, m) => {
        const lo = new Uint32Array(b, 0, 2 * m);
        const hi = signed ? new Int32Array(b, 0, 2 * m) : lo;
        for (let i = 0; i < m; i++) tmp[i] = (hi[2 * i + 1] as number) * 0x100000000 + (lo[2 * i] as number);
        return tmp.subarray(0, m);
      };
    }
    case 'i1':
      return (b, m) => new Int8Array(b, 0, m);
    case 'u1':
    case 'b1':
      return (b, m) => new Uint8Array(b, 0, m);
    case 'i2':
      return (b, m) => new Int16Array(b, 0, m);
    case 'u2':
      return (b, m) => new Uint16Array(b, 0, m);
    case 'i4':
      return (b, m) => new Int32Array(b, 0, m);
    case 'u4':
      return (b, m) => new Uint32Array(b, 0, m);
    default:
      throw unsupportedDtype(dtype);
  }
}

/** C-order destination index of each element of a Fortran-order stream (first axis fastest). */
export class FortranCursor {
  private readonly idx: number[];
  private readonly strides: number[];
  private pos = 0;

  constructor(private readonly shape: readonly number[]) {
    this.idx = shape.map(() => 0);
    this.strides = cStrides(shape);
  }

  next(): number {
    const p = this.pos;
    for (let d = 0; d < this.shape.length; d++) {
      const stride = this.strides[d] as number;
      const extent = this.shape[d] as number;
      this.idx[d] = (this.idx[d] as number) + 1;
      this.pos += stride;
      if ((this.idx[d] as number) < extent) return p;
      this.pos -= stride * extent;
      this.idx[d] = 0;
    }
    return p;
  }
}

export function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = (s[d + 1] as number) * (shape[d + 1] as number);
  return s;
}

export function product(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/** Does the element order differ between C and Fortran for this shape? (Not when ≤ 1 axis is > 1.) */
export function orderMatters(shape: readonly number[]): boolean {
  return shape.filter((d) => d > 1).length > 1;
}

/**
 * Accepts payload bytes in arbitrary pieces (any alignment, elements split across pieces) and
 * writes decoded elements into the output array, in C order.
 */
export class ElementSink {
  private readonly staging: Uint8Array;
  private fill = 0;
  private written = 0;
  private readonly swap: boolean;
  private readonly decode: (buf: ArrayBuffer, m: number) => NumericData;
  private readonly cursor: FortranCursor | null;
  /** Plain byte copy into the output: same type, host order, C order. */
  private readonly outBytes: Uint8Array | null;
  private bytePos = 0;

  constructor(
    private readonly dtype: NpDtype,
    private readonly out: NumericData,
    shape: readonly number[],
    fortran: boolean,
    chunkSize: number,
    direct: boolean,
  ) {
    const size = dtype.itemsize;
    this.swap = needsSwap(dtype);
    const reorder = fortran && orderMatters(shape);
    this.cursor = reorder ? new FortranCursor(shape) : null;
    this.outBytes = direct && !this.swap && !reorder ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength) : null;
    const elems = Math.max(1, Math.floor(chunkSize / size));
    this.staging = new Uint8Array(this.outBytes ? 0 : elems * size);
    this.decode = elementDecoder(dtype, elems);
  }

  write(chunk: Uint8Array): void {
    if (this.outBytes) {
      if (this.bytePos + chunk.length > this.outBytes.length) throw this.sizeError(this.bytePos + chunk.length);
      this.outBytes.set(chunk, this.bytePos);
      this.bytePos += chunk.length;
      return;
    }
    const size = this.dtype.itemsize;
    let i = 0;
    while (i < chunk.length) {
      const take = Math.min(chunk.length - i, this.staging.length - this.fill);
      this.staging.set(chunk.subarray(i, i + take), this.fill);
      this.fill += take;
      i += take;
      const whole = Math.floor(this.fill / size);
      if (whole > 0 && (this.fill === this.staging.length || i === chunk.length)) {
        this.flush(whole);
        const used = whole * size;
        this.staging.copyWithin(0, used, this.fill);
        this.fill -= used;
      }
    }
  }

  private flush(m: number): void {
    if (this.written + m > this.out.length) throw this.sizeError((this.written + m) * this.dtype.itemsize);
    if (this.swap) swapBytes(this.staging, m, this.dtype.itemsize);
    const values = this.decode(this.staging.buffer as ArrayBuffer, m);
    if (this.cursor) {
      const out = this.out;
      for (let i = 0; i < m; i++) out[this.cursor.next()] = values[i] as number;
    } else {
      this.out.set(values, this.written);
    }
    this.written += m;
  }

  finish(): void {
    const got = this.outBytes ? this.bytePos : this.written * this.dtype.itemsize + this.fill;
    if (got !== this.out.length * this.dtype.itemsize) throw this.sizeError(got);
  }

  private sizeError(got: number): PickleError {
    return new PickleError(
      'malformed',
      `array payload holds ${got} bytes but ${this.out.length} elements of '${this.dtype.descr}' need ${this.out.length * this.dtype.itemsize}`,
    );
  }
}

function swapBytes(buf: Uint8Array, m: number, size: number): void {
  for (let e = 0; e < m; e++) {
    const base = e * size;
    for (let a = base, b = base + size - 1; a < b; a++, b--) {
      const t = buf[a] as number;
      buf[a] = buf[b] as number;
      buf[b] = t;
    }
  }
}
