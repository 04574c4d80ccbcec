import { describe, expect, it } from 'vitest';
import { fixed } from '../../../src-main/cli/format';

describe('fixed', () => {
  it('prints a number with the given decimals', () => {
    expect(fixed(0.80250322, 4)).toBe('0.8025');
    expect(fixed(2, 1)).toBe('2.0');
  });

  it("prints '-' for a metric without a value (a constant prediction's Corr is stored as null)", () => {
    expect(fixed(null)).toBe('-');
    expect(fixed(undefined)).toBe('-');
    expect(fixed(Number.NaN)).toBe('-');
    expect(fixed(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
