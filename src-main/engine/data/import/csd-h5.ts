import type h5wasmModule from 'h5wasm/node';
import { ImportError } from './errors';

/**
 * h5wasm, loaded once and only when a .csd file is read. HDF5's own error printing is switched
 * off: by default a damaged file fills stderr with dozens of HDF5-DIAG lines and then fails later
 * with an unrelated message. With h5wasm's throwing handler the failing call throws at once, and
 * hdf5Failure turns it into one line naming the file and the reason.
 */
export type H5Module = typeof h5wasmModule;

let h5: Promise<H5Module> | null = null;

export function loadH5(): Promise<H5Module> {
  h5 ??= import('h5wasm/node').then(async ({ default: m }) => {
    const module = await m.ready;
    module.activate_throwing_error_handler();
    return m;
  });
  return h5;
}

/** The innermost reason of an HDF5 error stack ("truncated file: eof = …"), or the message's first line. */
export function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const frames = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  const reason = frames.at(-1) ?? text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

/** Any failure inside HDF5 while reading `file` as an import error; import errors pass through. */
export function hdf5Failure(file: string, keyPath: string, err: unknown): ImportError {
  if (err instanceof ImportError) return err;
  return new ImportError(
    'corrupt',
    file,
    keyPath,
    `cannot be read as HDF5 (${hdf5Reason(err)}); the file is probably truncated or damaged: download or copy it again`,
  );
}

/** Closes an HDF5 file whose reading failed; a second failure must not hide the first. */
export function closeQuietly(f: { close(): unknown }): void {
  try {
    f.close();
  } catch {
    // the error that got us here is the one to report
  }
}
