import { NDArray } from './numpy';
import { LazyBytes, LazyString, PyGlobal, PySet, PyTuple, type PyValue } from './values';

/** The Python type name of a value, for error messages and the key tree. */
export function typeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string' || v instanceof LazyString) return 'str';
  if (v instanceof Uint8Array || v instanceof LazyBytes) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof Map) return 'dict';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  if (v instanceof PyGlobal) return v.qualified;
  return v instanceof NDArray ? 'numpy.ndarray' : 'numpy.dtype';
}
