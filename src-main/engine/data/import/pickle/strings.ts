import type { NpDtype } from './dtype';
import { PickleError } from './errors';
import { FortranCursor, orderMatters, product } from './elements';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Exact latin-1 (TextDecoder's 'latin1' label is really windows-1252, which remaps 0x80–0x9F). */
export function latin1Decode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** 'S<n>': raw bytes, trailing NULs dropped; UTF-8 when valid (MulT decodes MOSI ids so), else latin-1. */
export function decodeBytesString(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const b = bytes.subarray(0, end);
  try {
    return utf8Strict.decode(b);
  } catch {
    return latin1Decode(b);
  }
}

/** Decode an S or U array payload into strings in C order. */
export function decodeStrings(bytes: Uint8Array, dtype: NpDtype, shape: readonly number[], fortran: boolean): string[] {
  const count = product(shape);
  const size = dtype.itemsize;
  if (size === 0 && count > 0) throw new PickleError('unsupported', `string arrays of itemsize 0 ('${dtype.descr}') are not supported`);
  if (bytes.length !== count * size) {
    throw new PickleError('malformed', `string array payload holds ${bytes.length} bytes but needs ${count * size} for '${dtype.descr}'`);
  }
  const out = new Array<string>(count);
  const cursor = fortran && orderMatters(shape) ? new FortranCursor(shape) : null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = dtype.byteorder !== '>';
  for (let i = 0; i < count; i++) {
    const base = i * size;
    let s: string;
    if (dtype.kind === 'S') {
      s = decodeBytesString(bytes.subarray(base, base + size));
    } else {
      const cps: number[] = [];
      for (let c = 0; c < size / 4; c++) cps.push(view.getUint32(base + 4 * c, little));
      while (cps.length > 0 && cps[cps.length - 1] === 0) cps.pop();
      // An invalid code point (> U+10FFFF) becomes U+FFFD rather than aborting the import.
      s = cps.map((cp) => (cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd')).join('');
    }
    out[cursor ? cursor.next() : i] = s;
  }
  return out;
}
