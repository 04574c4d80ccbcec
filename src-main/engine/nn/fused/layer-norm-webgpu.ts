import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LAYER_NORM, LAYER_NORM_GRAD } from './layer-norm-kernel';
import { gridProgram, registerWebGpuKernel, type WebGpuUniform } from './webgpu-program';

/**
 * The fused LayerNorm of layer-norm-kernel.ts on webgpu: the forward in 2 dispatches (row
 * statistics, then y) and the backward in 3 (dx by rows, dγ and dβ by columns), where the
 * composite op records ~9 and ~12 tfjs programs. Same outputs as the host kernels; statistics
 * accumulate in float32 (WGSL has no float64), as PyTorch's do.
 */

/** stats[r] = (mean, 1/std) of row r of X [rows, width]; one thread per row. */
const STATS = /* wgsl */ `
  fn main(r : i32) {
    if (r >= uniforms.rows) { return; }
    let w = uniforms.width;
    let o = r * w;
    var sum = 0.0;
    for (var c = 0; c < w; c++) { sum += X[o + c]; }
    let mean = sum / f32(w);
    var sq = 0.0;
    for (var c = 0; c < w; c++) { let e = X[o + c] - mean; sq += e * e; }
    result[2 * r] = mean;
    result[2 * r + 1] = inverseSqrt(sq / f32(w) + uniforms.eps);
  }
`;

/** y = (x − mean)·rstd·γ + β; one thread per element. */
const Y = /* wgsl */ `
  fn main(i : i32) {
    if (i >= uniforms.size) { return; }
    let r = i / uniforms.width;
    let c = i - r * uniforms.width;
    result[i] = (X[i] - S[2 * r]) * S[2 * r + 1] * G[c] + B[c];
  }
`;

/** dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = dy·γ; one thread per row. */
const DX = /* wgsl */ `
  fn main(r : i32) {
    if (r >= uniforms.rows) { return; }
    let w = uniforms.width;
    let o = r * w;
    let mean = S[2 * r];
    let rstd = S[2 * r + 1];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = 0; c < w; c++) {
      let g = DY[o + c] * G[c];
      sg += g;
      sgx += g * (X[o + c] - mean) * rstd;
    }
    let mg = sg / f32(w);
    let mgx = sgx / f32(w);
    for (var c = 0; c < w; c++) {
      result[o + c] = rstd * (DY[o + c] * G[c] - mg - (X[o + c] - mean) * rstd * mgx);
    }
  }
`;

/** dγ[c] = Σ_r dy·x̂ (withXhat 1) or dβ[c] = Σ_r dy (0); one thread per column. */
const COLUMN_SUM = /* wgsl */ `
  fn main(c : i32) {
    let w = uniforms.width;
    if (c >= w) { return; }
    var acc = 0.0;
    for (var r = 0; r < uniforms.rows; r++) {
      let dy = DY[r * w + c];
      acc += select(dy, dy * (X[r * w + c] - S[2 * r]) * S[2 * r + 1], uniforms.withXhat == 1);
    }
    result[c] = acc;
  }
`;

const DIMS = 'rows : i32, width : i32,';

/** The DIMS uniforms of x [rows, width]. */
function dimsOf(x: TensorInfo): WebGpuUniform[] {
  const [rows, width] = x.shape as [number, number];
  return [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [width] },
  ];
}

registerWebGpuKernel(LAYER_NORM, ({ x, gamma, beta }, attrs, gpu) => {
  const [rows, width] = x!.shape as [number, number];
  const dims = dimsOf(x!);
  const stats = gpu.runWebGPUProgram(gridProgram('hrlfLayerNormStats', ['X'], [rows, 2], rows, `${DIMS} eps : f32,`, STATS), [x!], 'float32', [
    ...dims,
    { type: 'float32', data: [attrs.eps as number] },
  ]);
  const y = gpu.runWebGPUProgram(gridProgram('hrlfLayerNormY', ['X', 'S', 'G', 'B'], [rows, width], rows * width, DIMS, Y), [x!, stats, gamma!, beta!], 'float32', dims);
  return [y, stats];
});

registerWebGpuKernel(LAYER_NORM_GRAD, ({ dy, x, gamma, stats }, _attrs, gpu) => {
  const [rows, width] = x!.shape as [number, number];
  const dims = dimsOf(x!);
  const dx = gpu.runWebGPUProgram(gridProgram('hrlfLayerNormDx', ['DY', 'X', 'S', 'G'], [rows, width], rows, DIMS, DX), [dy!, x!, stats!, gamma!], 'float32', dims);
  const column = (withXhat: number) =>
    gpu.runWebGPUProgram(gridProgram('hrlfLayerNormColumnSum', ['DY', 'X', 'S'], [width], width, `${DIMS} withXhat : i32,`, COLUMN_SUM), [dy!, x!, stats!], 'float32', [
      ...dims,
      { type: 'int32', data: [withXhat] },
    ]);
  return [dx, column(1), column(0)];
});
