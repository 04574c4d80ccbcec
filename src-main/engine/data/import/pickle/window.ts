import { PickleError } from './errors';
import type { ByteSource } from './source';

/**
 * Sequential reads over a ByteSource through one fixed-size buffer, so memory stays flat however
 * large the file is. Reads that do not fit the window (a big string, a skipped payload) bypass it.
 */
export class Window {
  private readonly buf: Uint8Array;
  /** File offset of buf[0]. */
  private start = 0;
  /** Valid bytes in buf. */
  private len = 0;
  /** Read cursor inside buf. */
  private off = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor(
    readonly source: ByteSource,
    chunkSize: number,
  ) {
    this.buf = new Uint8Array(Math.max(16, chunkSize));
  }

  get position(): number {
    return this.start + this.off;
  }

  get atEnd(): boolean {
    return this.position >= this.source.size;
  }

  private truncated(need: number): PickleError {
    return new PickleError(
      'truncated',
      `file ends at byte ${this.source.size} while ${need} more byte(s) were needed at byte ${this.position}`,
      this.position,
    );
  }

  /** Make `n` bytes (n <= window size) available from the cursor. */
  private ensure(n: number): void {
    if (this.len - this.off >= n) return;
    const keep = this.len - this.off;
    this.buf.copyWithin(0, this.off, this.len);
    this.start += this.off;
    this.off = 0;
    this.len = keep;
    this.len += this.source.readAt(this.start + keep, this.buf.subarray(keep));
    if (this.len < n) throw this.truncated(n - this.len);
  }

  byte(): number {
    this.ensure(1);
    return this.buf[this.off++] as number;
  }

  /** A fresh copy of the next `n` bytes (fresh, so typed-array views on it are aligned). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    if (n <= this.buf.length) {
      this.ensure(n);
      out.set(this.buf.subarray(this.off, this.off + n));
      this.off += n;
      return out;
    }
    const have = this.len - this.off;
    out.set(this.buf.subarray(this.off, this.len));
    const pos = this.start + this.len;
    const got = this.source.readAt(pos, out.subarray(have));
    this.reset(pos + got);
    if (have + got < n) throw this.truncated(n - have - got);
    return out;
  }

  /** Move past `n` bytes without reading them (deferred payloads). */
  skip(n: number): void {
    const target = this.position + n;
    if (target > this.source.size) {
      throw this.truncated(target - this.source.size);
    }
    if (this.off + n <= this.len) this.off += n;
    else this.reset(target);
  }

  private reset(position: number): void {
    this.start = position;
    this.len = 0;
    this.off = 0;
  }

  /** Protocol 0/1 text argument: bytes up to (excluding) the next newline. */
  line(): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (this.off >= this.len) this.ensure(1);
      const nl = this.buf.subarray(this.off, this.len).indexOf(10);
      if (nl >= 0) {
        parts.push(this.buf.slice(this.off, this.off + nl));
        total += nl;
        this.off += nl + 1;
        break;
      }
      parts.push(this.buf.slice(this.off, this.len));
      total += this.len - this.off;
      this.off = this.len;
    }
    if (parts.length === 1) return parts[0] as Uint8Array;
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  u16(): number {
    this.ensure(2);
    const b = this.buf;
    const o = this.off;
    this.off += 2;
    return (b[o] as number) | ((b[o + 1] as number) << 8);
  }

  u32(): number {
    this.ensure(4);
    const b = this.buf;
    const o = this.off;
    this.off += 4;
    return ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16)) + (b[o + 3] as number) * 0x1000000;
  }

  i32(): number {
    const v = this.u32();
    return v >= 0x80000000 ? v - 0x100000000 : v;
  }

  /** 8-byte little-endian length; lengths beyond 2^53 cannot be real files. */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) {
      throw new PickleError('malformed', `implausible 64-bit length at byte ${this.position - 8}`, this.position - 8);
    }
    return hi * 0x100000000 + lo;
  }

  f64be(): number {
    this.ensure(8);
    for (let i = 0; i < 8; i++) this.scratch.setUint8(i, this.buf[this.off + i] as number);
    this.off += 8;
    return this.scratch.getFloat64(0, false);
  }
}
