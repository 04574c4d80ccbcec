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

  /** Keeps all values in one tensor so they leave the gradient scope and cost a single read. */
  pack(): PackedTerms {
    return { names: [...this.names], values: tf.keep(tf.stack(this.values) as tf.Tensor1D) };
  }
}

export interface PackedTerms {
  names: string[];
  values: tf.Tensor1D;
}

/** Reads packed terms (one device sync) and frees them. */
export function readTerms(packed: PackedTerms): Record<string, number> {
  const data = packed.values.dataSync();
  packed.values.dispose();
  const out: Record<string, number> = {};
  packed.names.forEach((n, i) => (out[n] = data[i]!));
  return out;
}

/** Appends a diagnostic scalar (not part of `total`) to packed terms; frees the old pack. */
export function appendTerm(packed: PackedTerms, name: string, value: tf.Scalar): PackedTerms {
  const values = tf.keep(tf.concat([packed.values, tf.reshape(value, [1])]) as tf.Tensor1D);
  packed.values.dispose();
  return { names: [...packed.names, name], values };
}

/**
 * Runs `body` inside tf.tidy, so every intermediate is freed, and returns its packed terms
 * (which pack() kept alive) as numbers.
 */
export function tidyTerms(body: () => PackedTerms): Record<string, number> {
  const holder: { packed?: PackedTerms } = {};
  tf.tidy(() => {
    holder.packed = body();
  });
  if (!holder.packed) throw new Error('step produced no loss terms');
  return readTerms(holder.packed);
}

/**
 * tidyTerms with an asynchronous read, for backends without synchronous reads in Node (webgpu:
 * tfjs-webgpu's dataSync needs OffscreenCanvas). Same computation and draw order.
 */
export async function tidyTermsAsync(body: () => PackedTerms): Promise<Record<string, number>> {
  const holder: { packed?: PackedTerms } = {};
  tf.tidy(() => {
    holder.packed = body();
  });
  if (!holder.packed) throw new Error('step produced no loss terms');
  const { names, values } = holder.packed;
  const data = await values.data();
  values.dispose();
  const out: Record<string, number> = {};
  names.forEach((n, i) => (out[n] = data[i]!));
  return out;
}
