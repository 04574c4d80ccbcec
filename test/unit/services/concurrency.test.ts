import { describe, expect, it } from 'vitest';
import { defaultConcurrency, MAX_CONCURRENCY, RUN_MEMORY_BYTES } from '../../../src-main/services/concurrency';

const GB = 1024 ** 3;

describe('default queue concurrency', () => {
  it('is one run per core while memory allows', () => {
    expect(defaultConcurrency(2, 20 * GB)).toBe(2);
    expect(defaultConcurrency(8, 20 * GB)).toBe(8);
  });

  it('is capped by 80 % of the free memory at RUN_MEMORY_BYTES per run, and never below 1', () => {
    expect(defaultConcurrency(8, (3 * RUN_MEMORY_BYTES) / 0.8)).toBe(3);
    expect(defaultConcurrency(8, 0.1 * GB)).toBe(1);
    expect(defaultConcurrency(0, 20 * GB)).toBe(1);
  });

  it('never exceeds the ceiling', () => {
    expect(defaultConcurrency(128, 1024 * GB)).toBe(MAX_CONCURRENCY);
  });

  it('has a machine default within bounds', () => {
    const n = defaultConcurrency();
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(MAX_CONCURRENCY);
  });
});
