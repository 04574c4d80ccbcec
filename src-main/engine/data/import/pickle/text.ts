import { PickleError } from './errors';

/**
 * Protocol 0/1 opcodes carry their argument as a line of text (ints, floats, quoted py2 strings,
 * raw-unicode-escape strings). These helpers decode those lines.
 */

const ascii = new TextDecoder('utf-8');

export function lineText(line: Uint8Array): string {
  return ascii.decode(line);
}

export function parseIntText(text: string): number | bigint {
  const t = text.trim().replace(/L$/, '');
  if (!/^[+-]?\d+$/.test(t)) throw new PickleError('malformed', `invalid integer literal (${text.length} characters) in pickle`);
  return narrowInt(BigInt(t));
}

export function narrowInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function parseFloatText(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan' || t === '-nan') return NaN;
  const v = Number(t);
  if (Number.isNaN(v)) throw new PickleError('malformed', `invalid float literal (${text.length} characters) in pickle`);
  return v;
}

/** LONG1/LONG4 payload: little-endian two's complement. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  if ((bytes[bytes.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return narrowInt(v);
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34 };

/** STRING: a Python 2 `repr` of a byte string, quotes included. Returns the bytes. */
export function parseQuotedBytes(line: Uint8Array): Uint8Array {
  const s = lineText(line).trimEnd();
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) {
    throw new PickleError('malformed', 'STRING opcode argument is not quoted');
  }
  const body = s.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out.push(body.charCodeAt(i) & 0xff);
      continue;
    }
    const e = body[++i] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out.push(simple);
    else if (e === 'x') {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(e)) {
      let j = i;
      while (j < i + 3 && /[0-7]/.test(body[j] ?? '')) j++;
      out.push(parseInt(body.slice(i, j), 8) & 0xff);
      i = j - 1;
    } else {
      out.push(92, body.charCodeAt(i) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** UNICODE: raw-unicode-escape (latin-1 bytes plus \uXXXX / \UXXXXXXXX escapes). */
export function parseRawUnicodeEscape(line: Uint8Array): string {
  let s = '';
  for (let i = 0; i < line.length; i++) {
    const b = line[i] as number;
    const next = line[i + 1];
    if (b === 92 && (next === 117 || next === 85)) {
      const n = next === 117 ? 4 : 8;
      const hex = String.fromCharCode(...line.subarray(i + 2, i + 2 + n));
      const cp = /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : -1;
      if (hex.length === n && cp >= 0 && cp <= 0x10ffff) {
        s += String.fromCodePoint(cp);
        i += 1 + n;
        continue;
      }
    }
    s += String.fromCharCode(b);
  }
  return s;
}
