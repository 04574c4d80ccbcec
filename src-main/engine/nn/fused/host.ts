import * as tf from '@tensorflow/tfjs-core';

/**
 * The engine's own kernels for the host backends (wasm and cpu), whose tensors live in host
 * memory: a kernel reads and writes Float32Array views of its inputs and outputs directly (the
 * wasm heap, or the cpu backend's arrays) and runs plain JS loops over them. Other backends
 * (tensorflow, webgpu) have no such kernels and the layers fall back to composite tf ops.
 *
 * Why JS loops over the heap rather than more tfjs ops: every tfjs op costs ~5–10 µs of engine
 * work (tape, scopes, bookkeeping) before any arithmetic, and the small tensors of HRLF
 * (d = 40, head size 4) make many ops overhead-bound; one kernel replaces 10–30 of them.
 */

export const HOST_BACKENDS = ['wasm', 'cpu'] as const;

/** Allocation and views on one host backend. Allocate every output BEFORE taking views: a wasm allocation may grow (and so replace) the heap under older views. */
export interface HostIO {
  output(shape: readonly number[]): tf.TensorInfo;
  view(info: tf.TensorInfo): Float32Array;
  ints(info: tf.TensorInfo): Int32Array;
  /** Frees an intermediate made by output() that is not returned. */
  release(info: tf.TensorInfo): void;
  /** wasm only: the heap itself, for kernels compiled to WebAssembly that work on it in place. */
  heap?: WasmHeap;
}

/** A WebAssembly.Memory (the Node typings this project uses do not declare the WebAssembly API). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The parts of the WebAssembly global the fused kernels use. */
export interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** tfjs-wasm's memory, a tensor's byte offset in it, and its allocator. */
export interface WasmHeap {
  memory: WasmMemory;
  offset(info: tf.TensorInfo): number;
  malloc(bytes: number): number;
  free(pointer: number): void;
}

interface WasmBackendApi {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): boolean;
  getMemoryOffset(dataId: tf.DataId): number;
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(pointer: number): void };
}

const heaps = new WeakMap<object, WasmHeap | undefined>();

function wasmHeap(backend: WasmBackendApi): WasmHeap | undefined {
  if (heaps.has(backend)) return heaps.get(backend);
  const memory = backend.wasm.asm?.memory;
  const heap =
    memory instanceof webAssembly.Memory
      ? {
          memory,
          offset: (info: tf.TensorInfo) => backend.getMemoryOffset(info.dataId),
          malloc: (bytes: number) => backend.wasm._malloc(bytes) >>> 0,
          free: (pointer: number) => backend.wasm._free(pointer),
        }
      : undefined;
  heaps.set(backend, heap);
  return heap;
}

interface CpuBackendApi {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  data: { get(dataId: tf.DataId): { values: Float32Array | Int32Array } };
  disposeData(dataId: tf.DataId): boolean;
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function wasmIO(backend: WasmBackendApi): HostIO {
  return {
    output: (shape) => backend.makeOutput([...shape], 'float32'),
    view: (info) => backend.typedArrayFromHeap(info) as Float32Array,
    ints: (info) => backend.typedArrayFromHeap(info) as Int32Array,
    release: (info) => void backend.disposeData(info.dataId),
    heap: wasmHeap(backend),
  };
}

function cpuIO(backend: CpuBackendApi): HostIO {
  return {
    output: (shape) => backend.makeTensorInfo([...shape], 'float32', new Float32Array(size(shape))),
    view: (info) => backend.data.get(info.dataId).values as Float32Array,
    ints: (info) => backend.data.get(info.dataId).values as Int32Array,
    release: (info) => void backend.disposeData(info.dataId),
  };
}

function ioFor(backend: unknown): HostIO {
  return 'typedArrayFromHeap' in (backend as object) ? wasmIO(backend as WasmBackendApi) : cpuIO(backend as CpuBackendApi);
}

/** A kernel's inputs by name. */
export type Named<K extends string> = Record<K, tf.TensorInfo>;

export type HostKernel = (
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
  io: HostIO,
) => tf.TensorInfo | tf.TensorInfo[];

/** Registers `kernel` under `name` on every host backend (once; later calls are no-ops). */
export function registerHostKernel(name: string, kernel: HostKernel): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: (args) => kernel(args.inputs as Record<string, tf.TensorInfo>, (args.attrs ?? {}) as Record<string, unknown>, ioFor(args.backend)),
    });
  }
}

let enabled = true;

/**
 * Turns the engine's fused kernels off (composite tf ops everywhere) or back on. For tests that
 * compare both paths, and for A/B timing; results agree to float rounding.
 */
export function useFusedKernels(on: boolean): void {
  enabled = on;
}

/** Whether the active backend runs the fused kernel `name`. */
export function hasFusedKernel(name: string): boolean {
  return enabled && tf.getKernel(name, tf.getBackend()) != null;
}

/** Runs a registered kernel through the engine (so autodiff records it). */
export function runKernel<T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as unknown as T;
}
