import { NDArray, PyTuple, typeName, type PyValue } from './pickle';

/**
 * A short key tree with shapes and dtypes ("What is inside this pkl?", datasets.md §9): shown
 * when a pickle's layout is not recognised, before failing.
 */
export function describeValue(v: PyValue): string {
  if (v instanceof NDArray) return `ndarray ${v.dtype.descr} [${v.shape.join(', ')}]${v.order === 'F' ? ' (Fortran order)' : ''}`;
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    const kinds = [...new Set(items.slice(0, 50).map((x) => (x instanceof NDArray ? `ndarray [${x.shape.join(', ')}]` : typeName(x))))];
    return `${typeName(v)}[${items.length}]${kinds.length > 0 ? ` of ${kinds.slice(0, 3).join(' | ')}` : ''}`;
  }
  // Structure only (key names, types, shapes): a value read from the file is never shown.
  if (typeof v === 'string') return `str (${v.length} characters)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return typeName(v);
  if (v instanceof Map) return `dict (${v.size} keys)`;
  return typeName(v);
}

export function describeTree(v: PyValue, maxDepth = 3, indent = ''): string {
  if (!(v instanceof Map) || maxDepth === 0) return `${indent}${describeValue(v)}`;
  const lines: string[] = [];
  let shown = 0;
  for (const [k, x] of v) {
    if (shown++ === 40) {
      lines.push(`${indent}… ${v.size - 40} more keys`);
      break;
    }
    if (x instanceof Map && maxDepth > 1) {
      lines.push(`${indent}${String(k)}: dict`);
      lines.push(describeTree(x, maxDepth - 1, `${indent}  `));
    } else {
      lines.push(`${indent}${String(k)}: ${describeValue(x)}`);
    }
  }
  return lines.join('\n');
}
