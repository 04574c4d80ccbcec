import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Random-access bytes. The unpickler walks opcodes through a small window and defers large
 * payloads; when an array is built it reads the payload's byte range straight into the array.
 * Random access (rather than a stream) is what lets protocol-5 `_frombuffer` work: its payload
 * comes before the dtype that says how to decode it.
 */
export interface ByteSource {
  /** Shown in error messages. */
  readonly name: string;
  readonly size: number;
  /** Fill `dest` from `position`; returns the bytes read (fewer only at end of file). */
  readAt(position: number, dest: Uint8Array): number;
  close(): void;
}

/** readSync takes at most 2 GiB - 1 per call; stay well below that. */
const MAX_READ = 1 << 30;

/** A file read with fs.readSync at explicit positions: no 2 GiB readFileSync limit, no whole-file buffer. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | null;

  constructor(readonly name: string) {
    this.fd = openSync(name, 'r');
    this.size = fstatSync(this.fd).size;
  }

  readAt(position: number, dest: Uint8Array): number {
    if (this.fd === null) throw new Error(`${this.name}: read after close`);
    let done = 0;
    while (done < dest.length) {
      const want = Math.min(dest.length - done, MAX_READ);
      const got = readSync(this.fd, dest, done, want, position + done);
      if (got === 0) break;
      done += got;
    }
    return done;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Bytes already in memory (tests, small inputs). */
export class BufferSource implements ByteSource {
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = '<buffer>',
  ) {
    this.size = bytes.length;
  }

  readAt(position: number, dest: Uint8Array): number {
    const end = Math.min(this.size, position + dest.length);
    if (end <= position) return 0;
    dest.set(this.bytes.subarray(position, end));
    return end - position;
  }

  close(): void {
    // nothing to release
  }
}
