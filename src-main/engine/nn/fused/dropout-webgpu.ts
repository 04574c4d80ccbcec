import * as tf from '@tensorflow/tfjs-core';
import { DROPOUT, type DropoutAttrs } from './dropout-kernel';
import { maskStreamNext, maskStreamStart, maskThreshold } from './mask-stream';
import { gridProgram, registerWebGpuKernel, type WebGpuBackend } from './webgpu-program';

/**
 * The dropout kernel on webgpu: y = x · mask with the SAME mask as the host backends (dropout.ts's
 * xorshift32 stream, element i takes draw i + 1), drawn on the GPU. Without it the mask was filled
 * on the CPU and uploaded for every dropout and its gradient: on an H200 that was ~45% of the CPU
 * time of an HRLF student step (the fill ~21%, the buffer creation and upload the rest).
 *
 * xorshift32 is sequential, but each of its steps is a linear map M on 32-bit vectors over GF(2).
 * So a thread can start at any element: thread c handles elements [cK, cK + K) from the state
 * M^(cK)·s0, reached through the binary digits of c with the jump maps M^(K·2^j) (32 columns each,
 * computed once here and kept on the GPU). Results are bit-identical to the host kernel (the same
 * f32 product x · scale or x · 0).
 */

/** Elements per thread: the jump costs ~32 operations per set bit of the chunk index, amortised over K draws. */
const CHUNK = 32;
/** Chunks up to 2^LEVELS (2^31 elements at CHUNK 32 = 2^5). */
const LEVELS = 26;

/** Columns of M^CHUNK·2^j for j < LEVELS, as int32 (the bits reinterpreted on the GPU). */
function jumpTable(): Int32Array {
  const table = new Int32Array(LEVELS * 32);
  let columns = Array.from({ length: 32 }, (_, b) => {
    let s = (1 << b) >>> 0;
    for (let i = 0; i < CHUNK; i++) s = maskStreamNext(s); // the stream's step is the map M
    return s;
  });
  const apply = (cols: number[], s: number): number => {
    let r = 0;
    for (let b = 0; b < 32; b++) if ((s >>> b) & 1) r ^= cols[b]!;
    return r >>> 0;
  };
  for (let j = 0; j < LEVELS; j++) {
    columns.forEach((c, b) => (table[j * 32 + b] = c | 0));
    columns = columns.map((c) => apply(columns, c));
  }
  return table;
}

/** Per thread (chunk index = thread): jump to the chunk's first state, then draw its CHUNK elements. */
const SHADER = /* wgsl */ `
  // r = M^(CHUNK·2^level)·s over GF(2): XOR of the columns of the set bits of s.
  fn jump(level : i32, s : u32) -> u32 {
    var r = 0u;
    for (var b = 0; b < 32; b++) {
      if (((s >> u32(b)) & 1u) != 0u) { r ^= bitcast<u32>(J[level * 32 + b]); }
    }
    return r;
  }
  fn main(index : i32) {
    let begin = index * ${CHUNK};
    if (begin >= uniforms.size) { return; }
    var s = uniforms.start;
    var c = u32(index);
    var level = 0;
    loop {
      if (c == 0u) { break; }
      if ((c & 1u) != 0u) { s = jump(level, s); }
      c = c >> 1u;
      level++;
    }
    let end = min(begin + ${CHUNK}, uniforms.size);
    for (var i = begin; i < end; i++) {
      s ^= s << 13u;
      s ^= s >> 17u;
      s ^= s << 5u;
      result[i] = X[i] * select(0.0, uniforms.scale, s >= uniforms.threshold);
    }
  }
`;

/** The jump table on each backend instance, made once and never disposed (3 KB). */
const tables = new WeakMap<object, tf.TensorInfo>();

function tableOn(backend: WebGpuBackend): tf.TensorInfo {
  let t = tables.get(backend);
  if (!t) {
    t = backend.makeTensorInfo([LEVELS * 32], 'int32', jumpTable());
    tables.set(backend, t);
  }
  return t;
}

registerWebGpuKernel(DROPOUT, (inputs, attrs, gpu) => {
  const x = inputs.x!;
  const { rate, seed } = attrs as unknown as DropoutAttrs;
  const size = tf.util.sizeFromShape(x.shape);
  if (size > CHUNK * 2 ** LEVELS) throw new Error(`dropout on webgpu: ${size} elements exceed the mask stream's jump table (${CHUNK * 2 ** LEVELS})`);
  const program = gridProgram('hrlfDropout', ['X', 'J'], [...x.shape], Math.ceil(size / CHUNK), 'start : u32, threshold : u32, scale : f32,', SHADER);
  return gpu.runWebGPUProgram(program, [x, tableOn(gpu)], 'float32', [
    { type: 'uint32', data: [maskStreamStart(seed)] },
    { type: 'uint32', data: [maskThreshold(rate)] },
    { type: 'float32', data: [Math.fround(1 / (1 - rate))] },
  ]);
});
