/**
 * A file that cannot become a dataset. The message always names the file, the key path inside it
 * (e.g. `train.labels`) when there is one, and what was expected, so a user can act on it alone.
 */
export type ImportErrorCode =
  | 'unreadable'
  | 'empty'
  | 'not-pickle'
  | 'lfs-pointer'
  | 'truncated'
  | 'corrupt'
  | 'unsafe'
  /** Reading it would cost far more than its size: shared references, nesting, declared sizes. */
  | 'limits'
  | 'unsupported-format'
  | 'layout'
  | 'missing-split'
  | 'missing-key'
  | 'shape'
  /** A split with no samples. */
  | 'empty-split'
  | 'ragged'
  | 'unaligned'
  | 'token-ids'
  | 'labels'
  | 'label-shape'
  /** A file named .csd that is not HDF5. */
  | 'not-hdf5'
  /** A folder of .csd files lacks the text, audio, visual or label sequence. */
  | 'missing-modality'
  /** Two files fit one role equally well (two label sequences, two folds files, …). */
  | 'ambiguous'
  /** No labelled segment could be aligned to the word grid. */
  | 'alignment';

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly file: string,
    /** Dotted path inside the file, e.g. 'train.labels'; '' for the file as a whole. */
    readonly keyPath: string,
    readonly detail: string,
    /** Extra context for an inspector (e.g. the key tree of an unrecognised pickle). */
    readonly keyTree?: string,
  ) {
    super(`${file}${keyPath ? `: ${keyPath}` : ''}: ${detail}${keyTree ? `\nkeys found:\n${keyTree}` : ''}`);
    this.name = 'ImportError';
  }
}
