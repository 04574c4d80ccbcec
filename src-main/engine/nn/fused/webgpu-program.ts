import * as tf from '@tensorflow/tfjs-core';

/**
 * The engine's own compute shaders on tfjs-backend-webgpu, through its program interface (4.22,
 * pinned in package.json): the backend compiles and caches the pipeline per shaderKey, binds the
 * inputs (read-only storage arrays named by `variableNames`), the output (`result`) and the
 * uniforms (`uniforms.<name>`, after tfjs' own shape fields), and records the dispatch into its
 * command encoder, so these kernels interleave with tfjs' ops without reads or extra submits.
 */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  getUserCode(): string;
}

export interface WebGpuBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Int32Array | Float32Array): tf.TensorInfo;
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: WebGpuUniform[]): tf.TensorInfo;
}

export interface WebGpuUniform {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

const WORKGROUP = 64;

/**
 * A program whose `main(index)` runs once for each of `threads` indices (64 per workgroup; the
 * body must return for index ≥ threads itself), writing an output of `outputShape`.
 */
export function gridProgram(shaderKey: string, variableNames: string[], outputShape: number[], threads: number, uniforms: string | undefined, body: string): WebGpuProgram {
  return {
    shaderKey,
    variableNames,
    outputShape,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, Math.ceil(threads / WORKGROUP)), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    ...(uniforms ? { uniforms } : {}),
    getUserCode: () => body,
  };
}

export type WebGpuKernel = (inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, backend: WebGpuBackend) => tf.TensorInfo | tf.TensorInfo[];

/** Registers `kernel` under `name` on the webgpu backend (once), beside the host kernels of the same name. */
export function registerWebGpuKernel(name: string, kernel: WebGpuKernel): void {
  if (tf.getKernel(name, 'webgpu')) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: (args) => kernel(args.inputs as Record<string, tf.TensorInfo>, (args.attrs ?? {}) as Record<string, unknown>, args.backend as unknown as WebGpuBackend),
  });
}
