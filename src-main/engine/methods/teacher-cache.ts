import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../src-shared/canonical-json';

/**
 * The one rule for a reusable phase's cache key (the trainer reuses a phase whose `cacheKey`
 * matches a stored result): `prefix:` + the first 32 hex digits of the SHA-256 of the canonical
 * JSON of `key`. `key` must hold everything the phase's result depends on: a version string bumped
 * when the phase's computation changes, the data shape, the seed, and exactly the knobs the phase
 * reads. Methods whose teachers are the same network under the same knobs share a prefix.
 */
export function phaseCacheKey(prefix: string, key: Record<string, unknown>): string {
  return `${prefix}:${createHash('sha256').update(canonicalJson(key)).digest('hex').slice(0, 32)}`;
}
