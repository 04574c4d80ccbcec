import * as tf from '@tensorflow/tfjs-core';

/**
 * Named scalar loss terms. Each is the term's contribution to `total` (its λ applied), so that
 * total = Σ of the top-level terms and the largest |term| is the dominating loss; FRF's parts
 * (frfSelf, frfCross, frfRecon) are weighted the same way and sum to `frf`. Extra diagnostics
 * that are not part of the objective (the discriminators' own loss) are listed separately.
 */
export class Terms {
  private readonly names: string[] = [];
  private readonly values: tf.Scalar[] = [];

  add(name: string, value: tf.Scalar): void {
    this.names.push(name);
    this.values.push(value);
  }

  /** The terms by name, kept so they leave the gradient scope; the trainer reads them in one read (train/losses.ts). */
  pack(): PackedTerms {
    return Object.fromEntries(this.names.map((n, i) => [n, tf.keep(this.values[i]!)]));
  }
}

/** Named loss terms, unread (a StepLosses of tensors). */
export type PackedTerms = Record<string, tf.Scalar>;

/** Adds a diagnostic scalar (not part of `total`) to packed terms. */
export function appendTerm(packed: PackedTerms, name: string, value: tf.Scalar): PackedTerms {
  return { ...packed, [name]: tf.keep(value) };
}

/** Runs `body` inside tf.tidy, so every intermediate is freed; its packed terms (kept by pack()) survive. */
export function tidyTerms(body: () => PackedTerms): PackedTerms {
  return tf.tidy(body);
}
