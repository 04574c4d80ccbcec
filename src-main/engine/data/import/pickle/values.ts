import type { ByteSource } from './source';
import type { NDArray, NpDtype } from './numpy';

/**
 * What an unpickled value becomes in JS. Python types map to:
 * None → null, bool → boolean, int → number (bigint beyond 2^53), float → number, str → string,
 * bytes/bytearray/py2 str → Uint8Array, list → array, tuple → PyTuple, dict/OrderedDict → Map,
 * set/frozenset → PySet, numpy array → NDArray, numpy dtype → NpDtype.
 * Large payloads are LazyBytes/LazyString until something needs them.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | NDArray
  | NpDtype
  | PyGlobal
  | LazyBytes
  | LazyString;

/** Dict keys: the hashable scalars. Byte-string keys (py2 pickles) become latin-1 strings. */
export type PyKey = string | number | bigint | boolean | null;
export type PyDict = Map<PyKey, PyValue>;

/** Tuples are kept apart from lists because numpy state and call arguments are tuples. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** A whitelisted global (only ever created for names the whitelist knows). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * A bytes payload left in the file. `latin1-utf8` is protocol 2's spelling of bytes
 * (`_codecs.encode(str, 'latin1')`): the file holds the UTF-8 encoding of latin-1 code points,
 * so the decoded length is only known after decoding.
 */
export class LazyBytes {
  constructor(
    readonly source: ByteSource,
    readonly offset: number,
    /** Stored bytes in the file. */
    readonly stored: number,
    readonly encoding: 'raw' | 'latin1-utf8',
  ) {}
}

/** A UTF-8 string payload left in the file (in protocol 2 these carry array data). */
export class LazyString {
  constructor(
    readonly source: ByteSource,
    readonly offset: number,
    readonly stored: number,
  ) {}
}

export function isDict(v: PyValue | undefined): v is PyDict {
  return v instanceof Map;
}
