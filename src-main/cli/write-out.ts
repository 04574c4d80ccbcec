/**
 * `--out FILE`: where the content may replace a file atomically it does (a temp file beside the
 * target, then rename), so a failed export never leaves a half-written file; where a rename would
 * replace something that is not a regular file, it does not:
 *   new path or regular file   temp file + rename (the old file's mode is kept);
 *   symlink                    followed: its target gets the same treatment, the link stays;
 *   device, FIFO, socket       written in place, like a shell redirection (/dev/stdout, a pipe);
 *   directory                  refused.
 * The temp file never outlives the call.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './context';

export class OutputError extends Error {}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path); // follows symlinks
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OutputError(`--out ${path}: cannot be inspected (${(err as Error).message})`);
  }
}

/** Where a symlink (possibly dangling, possibly chained) finally points. */
function finalTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A dangling link: create what it names, as a shell redirection would.
    let p = resolve(path);
    for (let hops = 0; hops < 40; hops++) {
      let link: string;
      try {
        link = readlinkSync(p);
      } catch {
        return p;
      }
      p = resolve(dirname(p), link);
    }
    throw new OutputError(`--out ${path}: too many levels of symbolic links`);
  }
}

export function writeOutput(out: string, content: string): void {
  const target = finalTarget(out);
  const st = statOrNull(target);
  if (st?.isDirectory()) throw new UsageError(`--out ${out}: is a directory; expected a file name`);
  if (st && !st.isFile()) {
    // A device, FIFO or socket: renaming over it would replace the node itself.
    try {
      writeFileSync(target, content);
    } catch (err) {
      throw new OutputError(`cannot write to ${out}: ${(err as Error).message}`);
    }
    return;
  }
  const temp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(temp, content, { flag: 'wx', mode: st ? st.mode & 0o7777 : 0o666 });
    if (st) chmodSync(temp, st.mode & 0o7777);
    renameSync(temp, target);
  } catch (err) {
    throw new OutputError(`cannot write ${out}: ${(err as Error).message}; nothing was written`);
  } finally {
    rmSync(temp, { force: true });
  }
}
