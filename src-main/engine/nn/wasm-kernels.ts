import * as tf from '@tensorflow/tfjs-core';
import { batchedProduct } from './batched-product';

/**
 * Replacements for six tfjs-backend-wasm 4.22 kernels. Same results and semantics as the
 * cpu/webgl backends; measured on an HRLF student step:
 *
 * - Identity (tf.clone) copied the whole tensor. The engine clones every tensor it saves for
 *   backprop (~800 per step), so that was ~20 ms of memcpy per step. Here it shares the buffer
 *   and bumps its refcount, as wasm's own Reshape does (tfjs tensors are immutable).
 * - Slice read the ENTIRE input out of the heap into a fresh JS array (backend.readSync) before
 *   copying the slice, for every slice; SplitV and Unpack slice once per output, so splitting
 *   Q/K/V or a flat gradient copied the input n times and fed the GC megabytes per step. Here
 *   the slice is copied straight from a heap view, one contiguous run at a time.
 * - BatchMatMul with a batch axis (> 1) runs a plain C loop in wasm (only 2-D products reach
 *   XNNPACK): ~0.5 GMAC/s on attention's [H·B, 50, 4]·[H·B, 4, 50], ~90 ms of a 210 ms step.
 *   The JS kernels of batched-product.ts, run on heap views, are 2–6x faster on those shapes
 *   (A/B on the whole step: ~40 ms less). 2-D products and broadcast batch axes still go to the
 *   original kernel.
 */

type HeapArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackendApi {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapArray;
}

function api(backend: unknown): WasmBackendApi {
  return backend as WasmBackendApi;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Copies x[begin : begin+size] into a new output, run by run, from heap views. */
function sliceFromHeap(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackendApi): tf.TensorInfo {
  // Allocate first: a malloc may grow (and so replace) the heap buffer behind older views.
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  const xs = strides(shape);
  // Innermost axis k such that every axis after it is taken whole: runs of size[k]·xs[k].
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = rank === 0 ? 1 : size[k]! * xs[k]!;
  const base = rank === 0 ? 0 : begin[k]! * xs[k]!;
  const index = new Array<number>(k).fill(0);
  let written = 0;
  while (written < total) {
    let offset = base;
    for (let i = 0; i < k; i++) offset += (begin[i]! + index[i]!) * xs[i]!;
    dst.set(src.subarray(offset, offset + run), written);
    written += run;
    for (let i = k - 1; i >= 0; i--) {
      if (++index[i]! < size[i]!) break;
      index[i] = 0;
    }
  }
  return out;
}

const originals = new Map<string, tf.KernelFunc>();

function fallback(name: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  const original = originals.get(name);
  if (!original) throw new Error(`no original wasm ${name} kernel`);
  return original(args);
}

const identity: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return fallback(tf.Identity, args);
  api(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

const slice: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return fallback(tf.Slice, args);
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
  return sliceFromHeap(x, b, s, api(args.backend));
};

const splitV: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return fallback(tf.SplitV, args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((n) => {
    const size = [...x.shape];
    size[ax] = n;
    const out = sliceFromHeap(x, [...begin], size, api(args.backend));
    begin[ax] = begin[ax]! + n;
    return out;
  });
};

const unpack: tf.KernelFunc = (args) => {
  const x = args.inputs.value as tf.TensorInfo;
  if (x.dtype === 'string') return fallback(tf.Unpack, args);
  const rank = x.shape.length;
  let { axis } = args.attrs as unknown as tf.UnpackAttrs;
  if (axis < 0) axis += rank;
  const outShape = x.shape.filter((_, i) => i !== axis);
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < x.shape[axis]!; i++) {
    const begin = new Array<number>(rank).fill(0);
    begin[axis] = i;
    const size = [...x.shape];
    size[axis] = 1;
    const out = sliceFromHeap(x, begin, size, api(args.backend));
    outs.push({ dataId: out.dataId, dtype: out.dtype, shape: outShape });
  }
  return outs;
};

const batchMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = batchA.reduce((x, y) => x * y, 1);
  const sameBatch = batchA.length === batchB.length && batchA.every((v, i) => v === batchB[i]);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || batch <= 1 || !sameBatch) {
    return fallback(tf.BatchMatMul, args);
  }
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  if (k !== kb) throw new Error(`matMul inner sizes differ: ${a.shape} x ${b.shape}`);
  const backend = api(args.backend);
  const out = backend.makeOutput([...batchA, m, n], 'float32');
  batchedProduct(
    backend.typedArrayFromHeap(a) as Float32Array,
    backend.typedArrayFromHeap(b) as Float32Array,
    backend.typedArrayFromHeap(out) as Float32Array,
    batch,
    m,
    k,
    n,
    transposeA,
    transposeB,
  );
  return out;
};

/**
 * GatherV2 of whole rows (axis 0, no batch dims), as the encoders' present-rows product does
 * every student step ([1600, 300] → ~500 rows): the stock kernel took ~4 ms per gather there;
 * here each row is one copy out of a heap view.
 */
const gatherV2: tf.KernelFunc = (args) => {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  if (x.dtype === 'string' || indices.dtype !== 'int32' || ax !== 0 || (batchDims ?? 0) !== 0) return fallback(tf.GatherV2, args);
  const backend = api(args.backend);
  const rows = x.shape[0]!;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const index = backend.typedArrayFromHeap(indices);
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    // tfjs leaves out-of-range indices undefined (the cpu backend throws); fail loudly here.
    if (r < 0 || r >= rows) throw new Error(`gather index ${r} is outside [0, ${rows})`);
    dst.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return out;
};

const replacements: [string, tf.KernelFunc][] = [
  [tf.GatherV2, gatherV2],
  [tf.BatchMatMul, batchMatMul],
  [tf.Identity, identity],
  [tf.Slice, slice],
  [tf.SplitV, splitV],
  [tf.Unpack, unpack],
];

/**
 * Installs the replacements once the wasm backend's own kernels are registered (importing
 * @tensorflow/tfjs-backend-wasm registers them, and would override ours if it came later, hence
 * the check on every call). Cheap and idempotent: call it before running the model.
 */
export function tuneWasmKernels(): void {
  for (const [name, kernelFunc] of replacements) {
    const current = tf.getKernel(name, 'wasm');
    if (!current || current.kernelFunc === kernelFunc) continue;
    // The first kernel seen is the backend's own; never adopt a later one (it may wrap ours).
    if (!originals.has(name)) originals.set(name, current.kernelFunc);
    tf.unregisterKernel(name, 'wasm');
    // Keep the original's setup: the fallback path still calls into its wasm function.
    tf.registerKernel({ ...current, kernelFunc });
  }
}
