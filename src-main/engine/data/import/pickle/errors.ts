/**
 * Why a pickle could not be read. The code lets the importer phrase its own message
 * (e.g. "truncated download?") without parsing ours.
 */
export type PickleErrorCode =
  | 'truncated' // the file ends inside an opcode or payload
  | 'not-pickle' // the first byte is not a pickle opcode
  | 'unsafe-global' // a global outside the whitelist; nothing was executed
  | 'unsupported' // a valid pickle feature this reader does not implement
  | 'malformed' // inconsistent contents (stack underflow, size mismatch, ...)
  | 'limits'; // would cost far more than the file's size to read (shared references, depth, declared sizes)

export class PickleError extends Error {
  constructor(
    readonly code: PickleErrorCode,
    message: string,
    /** Byte offset in the file where the problem was noticed, when known. */
    readonly position?: number,
    /** For 'unsafe-global': the refused `module.name`. */
    readonly globalName?: string,
  ) {
    super(message);
    this.name = 'PickleError';
  }
}
