/** The paper's "Avg." column: mean over the six inter-modality conditions with a modality missing. */

import { MISSING_CONDITIONS, type InterCondition } from '../domain';

export type ByCondition<T> = Partial<Record<InterCondition, T>>;

function requireAll<T>(byCondition: ByCondition<T>): T[] {
  return MISSING_CONDITIONS.map((condition) => {
    const value = byCondition[condition];
    if (value === undefined) throw new RangeError(`average over missing conditions: no value for '${condition}'`);
    return value;
  });
}

/**
 * Mean of the values for 'l', 'a', 'v', 'l,a', 'l,v', 'a,v'; 'l,a,v' (nothing missing) is ignored if present.
 * Throws when one of the six is absent rather than averaging fewer; a NaN among them gives NaN.
 */
export function averageOverMissing(byCondition: ByCondition<number>): number {
  const values = requireAll(byCondition);
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** `averageOverMissing` applied key by key to metric records, e.g. RegressionMetrics per condition. */
export function averageMetricsOverMissing<K extends string>(byCondition: ByCondition<Record<K, number>>): Record<K, number> {
  const records = requireAll(byCondition);
  const first = records[0]!;
  const result = {} as Record<K, number>;
  for (const key of Object.keys(first) as K[]) {
    result[key] = records.reduce((sum, record) => sum + record[key], 0) / records.length;
  }
  return result;
}
