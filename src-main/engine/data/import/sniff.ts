import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * What a file is, from its first bytes (datasets.md §0), before any parsing. Nothing of the
 * contents is kept for messages: an import error names the file and what was expected, never its
 * bytes (the path could be any readable file, e.g. /etc/shadow).
 */
export type FileKind =
  | { kind: 'empty' }
  | { kind: 'pickle'; protocol: number }
  | { kind: 'hdf5' }
  | { kind: 'lfs-pointer' }
  | { kind: 'zip' }
  | { kind: 'npy' }
  | { kind: 'text' }
  | { kind: 'unknown' };

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffFile(file: string): FileKind {
  const size = statSync(file).size;
  if (size === 0) return { kind: 'empty' };
  const head = new Uint8Array(Math.min(size, 512));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return sniffBytes(head);
}

export function sniffBytes(head: Uint8Array): FileKind {
  if (head.length === 0) return { kind: 'empty' };
  const b0 = head[0] as number;
  if (b0 === 0x80 && head.length > 1) return { kind: 'pickle', protocol: head[1] as number };
  if (HDF5.every((b, i) => head[i] === b)) return { kind: 'hdf5' };
  if (head[0] === 0x50 && head[1] === 0x4b) return { kind: 'zip' };
  if (head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return { kind: 'npy' };
  const text = new TextDecoder('utf-8').decode(head);
  if (text.startsWith('version https://git-lfs.github.com/spec/')) return { kind: 'lfs-pointer' };
  const printable = [...head].every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2);
  // Protocol 0/1 pickles have no header: they open with a container opcode or a GLOBAL line.
  if (/^([(}\])]|c[\w.]+\n[\w.]+\n)/.test(text)) return { kind: 'pickle', protocol: 0 };
  if (printable) return { kind: 'text' };
  return { kind: 'unknown' };
}
