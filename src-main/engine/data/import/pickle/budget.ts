import { PickleError } from './errors';
import { NDArray } from './numpy';
import { PySet, PyTuple, type PyValue } from './values';

/**
 * What a pickle may cost to unpickle. A pickle's memo lets one object be referenced many times,
 * so a few bytes can describe a value of astronomic size: a list holding the same list twice, 30
 * levels deep, is 2^30 elements from a 10 KB file, and every reader that walks it (ids joined into
 * strings, tuple keys turned into text) pays for each element. A dataset stores each sample once,
 * so its value is never larger than its file: every element costs at least one byte of opcodes
 * or payload. The budget counts the value a container expands to (shared parts counted each time
 * they are referenced, as a reader would see them) and refuses, while reading, a pickle that
 *   - expands to more elements than its file has bytes (plus a margin for small files),
 *   - nests deeper than any dataset layout (MAX_DEPTH),
 *   - changes a container after placing it in another one, which only self-referencing
 *     (recursive) structures need; this also keeps the counts exact.
 */
export const MAX_DEPTH = 100;
/** Elements any pickle may expand to beyond its byte count. */
export const ELEMENT_MARGIN = 1 << 20;
/** Largest integer opcode payload (LONG4, INT/LONG text) in bytes or digits. */
export const MAX_INT_BYTES = 1024;
/** A dict key that is a tuple becomes text; this bounds its size. */
export const MAX_KEY_ELEMENTS = 1024;

interface Cost {
  /** Elements the value expands to: 1 per scalar, an array's element count, a container's contents + 1. */
  size: number;
  /** 0 for scalars and arrays of numbers; a container is 1 deeper than its deepest item. */
  depth: number;
}

const LEAF: Cost = { size: 1, depth: 0 };

export class Budget {
  private readonly costs = new WeakMap<object, Cost>();
  /** Containers (and arrays) that are already an item of another container. */
  private readonly placed = new WeakSet<object>();

  constructor(
    /** Bytes of the file: with ELEMENT_MARGIN, the elements it may expand to. */
    readonly fileBytes: number,
  ) {}

  get maxElements(): number {
    return this.fileBytes + ELEMENT_MARGIN;
  }

  cost(v: PyValue): Cost {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return LEAF;
    const known = this.costs.get(v);
    if (known) return known;
    if (v instanceof NDArray) {
      const s = v.storage;
      if (s.kind === 'object') {
        const list = this.cost(s.values);
        return { size: list.size, depth: list.depth };
      }
      return { size: Math.max(1, s.values.length), depth: 0 };
    }
    const items = itemsOf(v);
    if (items === null) return LEAF; // dtype, global, deferred payload
    // A container made by a call (set(), OrderedDict()): its items were costed as they were read.
    return this.record(v, items, 0);
  }

  /** A container built from `items` (LIST, TUPLE, DICT, FROZENSET, a call's result). */
  container<T extends object>(c: T, items: Iterable<PyValue>, at: number): T {
    this.record(c, items, at);
    return c;
  }

  /** `items` go into the existing container `c` (APPEND(S), SETITEM(S), ADDITEMS). */
  add(c: object, items: Iterable<PyValue>, at: number): void {
    this.assertUnplaced(c, at);
    const before = this.costs.get(c) ?? { size: 1, depth: 0 };
    const added = this.record(c, items, at, false);
    this.costs.set(c, this.check({ size: before.size + added.size - 1, depth: Math.max(before.depth, added.depth) }, at));
  }

  /** BUILD fills an array (or dtype) in place: only before it is anyone's item. */
  assertUnplaced(target: object, at: number): void {
    if (this.placed.has(target)) {
      throw new PickleError(
        'limits',
        `a value is changed after being placed in another container (at byte ${at}); only self-referencing (recursive) structures need that, and a dataset pickle has none`,
        at,
      );
    }
  }

  /** A dict key as text costs its size in characters: keys are bounded. */
  key(k: PyValue, at: number): void {
    if (k instanceof PyTuple && this.cost(k).size > MAX_KEY_ELEMENTS) {
      throw new PickleError('limits', `a dict key is a tuple of more than ${MAX_KEY_ELEMENTS} elements (at byte ${at}); dataset keys are short names`, at);
    }
  }

  /** An array about to be allocated with `count` elements (checked before any memory is taken). */
  elements(count: number): void {
    if (count > this.maxElements) {
      throw new PickleError(
        'limits',
        `an array declares ${count.toLocaleString('en-US')} elements, more than this ${this.fileBytes.toLocaleString('en-US')}-byte file can hold`,
      );
    }
  }

  private record(c: object, items: Iterable<PyValue>, at: number, store = true): Cost {
    let size = 1;
    let depth = 0;
    for (const item of items) {
      if (item === c) {
        throw new PickleError('limits', `a container holds itself (at byte ${at}); a dataset pickle has no self-referencing (recursive) structures`, at);
      }
      const cost = this.cost(item);
      size += cost.size;
      depth = Math.max(depth, cost.depth + 1);
      if (item !== null && typeof item === 'object') this.placed.add(item);
    }
    const cost = this.check({ size, depth }, at);
    if (store) this.costs.set(c, cost);
    return cost;
  }

  private check(cost: Cost, at: number): Cost {
    if (cost.depth > MAX_DEPTH) {
      throw new PickleError('limits', `values are nested more than ${MAX_DEPTH} levels deep (at byte ${at}); dataset pickles nest a few levels`, at);
    }
    if (cost.size > this.maxElements) {
      throw new PickleError(
        'limits',
        `shared references (the pickle memo) make this ${this.fileBytes.toLocaleString('en-US')}-byte file expand to more than ${this.maxElements.toLocaleString('en-US')} elements (at byte ${at}); a dataset pickle stores each value once`,
        at,
      );
    }
    return cost;
  }
}

function itemsOf(v: object): Iterable<PyValue> | null {
  if (Array.isArray(v)) return v as PyValue[];
  if (v instanceof PyTuple) return v.items;
  if (v instanceof Map) return v.values();
  if (v instanceof PySet) return v.items;
  return null;
}
