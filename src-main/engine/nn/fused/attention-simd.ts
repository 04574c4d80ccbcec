import { WASM_BASE64 } from './attention-wasm';
import { webAssembly, type WasmHeap, type WasmMemory } from './host';

/**
 * The SIMD attention kernels (assembly/attention.ts: head size 4, and any head size), instantiated on tfjs-wasm's
 * own memory so they read and write tensors in place. One instance per heap, with a scratch
 * block malloc'd from it. null where WebAssembly SIMD is unavailable or the memory is shared
 * (the multi-threaded tfjs build): the JS kernels then run instead.
 */
interface Exports {
  scratchFloats(T: number): number;
  scratchFloatsN(T: number, dh: number): number;
  attentionForward(...args: number[]): void;
  attentionBackward(...args: number[]): void;
  attentionForwardN(...args: number[]): void;
  attentionBackwardN(...args: number[]): void;
}

export interface AttentionSimd {
  exports: Exports;
  /** Byte offset of a scratch block for key length T and head size dh (allocate it before taking any heap view). */
  scratch(T: number, dh: number): number;
}

let compiled: object | null | undefined;
const instances = new WeakMap<WasmMemory, AttentionSimd | null>();

function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new webAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    } catch {
      compiled = null; // no SIMD in this runtime
    }
  }
  return compiled ?? null;
}

export function attentionSimd(heap: WasmHeap | undefined): AttentionSimd | null {
  if (!heap || typeof SharedArrayBuffer !== 'undefined' && heap.memory.buffer instanceof SharedArrayBuffer) return null;
  const known = instances.get(heap.memory);
  if (known !== undefined) return known;
  const m = module();
  let simd: AttentionSimd | null = null;
  if (m) {
    const exports = new webAssembly.Instance(m, { env: { memory: heap.memory } }).exports as unknown as Exports;
    let pointer = 0;
    let floats = 0;
    simd = {
      exports,
      scratch: (T, dh) => {
        const need = dh === 4 ? exports.scratchFloats(T) : exports.scratchFloatsN(T, dh);
        if (need > floats) {
          if (pointer) heap.free(pointer);
          pointer = heap.malloc(need * 4);
          floats = need;
        }
        return pointer;
      },
    };
  }
  instances.set(heap.memory, simd);
  return simd;
}
