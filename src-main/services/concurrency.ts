import { availableParallelism, freemem } from 'node:os';

/**
 * Memory one engine process may need besides its dataset: an HRLF run on MOSI-size data peaked at
 * 0.20 GB RSS (README, *Measured*); twice that leaves room for larger batches and the evaluation.
 */
export const RUN_MEMORY_BYTES = 512 * 1024 * 1024;

/** Ceiling of the queue's concurrency (also the largest --concurrency accepted). */
export const MAX_CONCURRENCY = 16;

/**
 * Default number of runs the queue trains at once: one per core (the wasm and cpu engines are
 * single-threaded, so a second run on a core only time-slices), but no more than 80 % of the free
 * memory holds at RUN_MEMORY_BYTES each, and between 1 and MAX_CONCURRENCY. On the 2-core, 24 GB
 * development machine: 2.
 */
export function defaultConcurrency(cores = availableParallelism(), freeBytes = freemem()): number {
  const byMemory = Math.floor((0.8 * freeBytes) / RUN_MEMORY_BYTES);
  return Math.max(1, Math.min(cores, byMemory, MAX_CONCURRENCY));
}
