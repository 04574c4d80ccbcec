import type { NpDtype } from './dtype';
import { ElementSink, needsSwap, orderMatters, outputFor, product, type NumericData } from './elements';
import { PickleError } from './errors';
import { LazyBytes, LazyString } from './values';

/**
 * Getting payload bytes (in memory or deferred in the file) into arrays and values, in chunks.
 */

/** Where payload bytes come from: in memory, or a deferred range of the file. */
export type Payload = Uint8Array | LazyBytes;

export interface DecodeContext {
  /** Bytes per read/decode step; small values exercise the chunking in tests. */
  readonly chunkSize: number;
  /** Report consumed payload bytes; may yield to the event loop. */
  progress(bytes: number): Promise<void>;
  /** Called before an array of `count` elements is allocated; throws when the file cannot hold it. */
  elements?(count: number): void;
}

/**
 * Decodes protocol 2's bytes spelling: UTF-8 of latin-1 code points. Keeps a lead byte that
 * straddles two chunks.
 */
export class Latin1FromUtf8 {
  private lead = -1;

  /** Returns the decoded bytes of `chunk` (a view of an internal buffer, valid until next call). */
  private out = new Uint8Array(0);

  decode(chunk: Uint8Array): Uint8Array {
    if (this.out.length < chunk.length) this.out = new Uint8Array(chunk.length);
    const out = this.out;
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.lead >= 0) {
        if ((b & 0xc0) !== 0x80) throw this.bad();
        out[n++] = ((this.lead & 0x1f) << 6) | (b & 0x3f);
        this.lead = -1;
      } else if (b < 0x80) {
        out[n++] = b;
      } else if (b === 0xc2 || b === 0xc3) {
        this.lead = b;
      } else {
        throw this.bad();
      }
    }
    return out.subarray(0, n);
  }

  finish(): void {
    if (this.lead >= 0) throw this.bad();
  }

  private bad(): PickleError {
    return new PickleError('malformed', 'protocol-2 bytes payload is not latin-1 text (a character above U+00FF or invalid UTF-8)');
  }
}

/** Feeds a payload to `consume` in chunks of at most chunkSize bytes, reporting progress. */
async function feed(payload: Payload, ctx: DecodeContext, consume: (chunk: Uint8Array) => void): Promise<void> {
  if (payload instanceof Uint8Array) {
    consume(payload);
    return;
  }
  const step = Math.max(1, ctx.chunkSize);
  const buf = new Uint8Array(Math.min(step, payload.stored));
  const latin1 = payload.encoding === 'latin1-utf8' ? new Latin1FromUtf8() : null;
  for (let at = 0; at < payload.stored; at += step) {
    const n = Math.min(step, payload.stored - at);
    const view = buf.subarray(0, n);
    if (payload.source.readAt(payload.offset + at, view) < n) throw truncatedPayload(payload);
    consume(latin1 ? latin1.decode(view) : view);
    await ctx.progress(n);
  }
  latin1?.finish();
}

function truncatedPayload(p: LazyBytes | LazyString): PickleError {
  return new PickleError('truncated', `file ends inside a ${p.stored}-byte payload starting at byte ${p.offset}`, p.offset);
}

/** Decode a numeric payload into a fresh typed array in C order. */
export async function decodeNumeric(
  payload: Payload,
  dtype: NpDtype,
  shape: readonly number[],
  fortran: boolean,
  ctx: DecodeContext,
): Promise<NumericData> {
  const count = product(shape);
  const { make, direct } = outputFor(dtype);
  const expected = count * dtype.itemsize;
  const knownSize = payload instanceof Uint8Array ? payload.length : payload.encoding === 'raw' ? payload.stored : null;
  if (knownSize !== null && knownSize !== expected) {
    throw new PickleError(
      'malformed',
      `array payload holds ${knownSize} bytes but shape [${shape.join(', ')}] of '${dtype.descr}' needs ${expected}`,
    );
  }
  // Protocol 2's text spelling decodes to at most as many bytes as it stores: check before allocating.
  if (knownSize === null && !(payload instanceof Uint8Array) && expected > payload.stored) {
    throw new PickleError(
      'malformed',
      `array payload holds at most ${payload.stored} bytes but shape [${shape.join(', ')}] of '${dtype.descr}' needs ${expected}`,
    );
  }
  const out = make(count);
  // Fast path for the big float32 arrays: file bytes go straight into the output's memory.
  if (payload instanceof LazyBytes && payload.encoding === 'raw' && direct && !needsSwap(dtype) && !(fortran && orderMatters(shape))) {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const step = Math.max(1, ctx.chunkSize);
    for (let at = 0; at < expected; at += step) {
      const view = bytes.subarray(at, Math.min(expected, at + step));
      if (payload.source.readAt(payload.offset + at, view) < view.length) throw truncatedPayload(payload);
      await ctx.progress(view.length);
    }
    return out;
  }
  const sink = new ElementSink(dtype, out, shape, fortran, ctx.chunkSize, direct);
  await feed(payload, ctx, (chunk) => sink.write(chunk));
  sink.finish();
  return out;
}

/** All bytes of a payload in memory (for strings and small things). */
export async function materializeBytes(payload: Payload, ctx: DecodeContext): Promise<Uint8Array> {
  if (payload instanceof Uint8Array) return payload;
  if (payload.encoding === 'raw') {
    const out = new Uint8Array(payload.stored);
    await feed(payload, ctx, (() => {
      let at = 0;
      return (chunk: Uint8Array) => {
        out.set(chunk, at);
        at += chunk.length;
      };
    })());
    return out;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  await feed(payload, ctx, (chunk) => {
    parts.push(chunk.slice());
    total += chunk.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** V8 strings top out near 2^29 characters. */
const MAX_STRING_BYTES = 1 << 29;

export function materializeString(s: LazyString): string {
  if (s.stored > MAX_STRING_BYTES) {
    throw new PickleError('unsupported', `a ${s.stored}-byte string at byte ${s.offset} is too large to hold as text`, s.offset);
  }
  const bytes = new Uint8Array(s.stored);
  if (s.source.readAt(s.offset, bytes) < s.stored) throw truncatedPayload(s);
  return new TextDecoder().decode(bytes);
}
