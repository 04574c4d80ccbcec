import { NpDtype } from './dtype';
import { PickleError } from './errors';
import { NDArray, decodeScalar, latin1Encode, toPayload, toShape } from './numpy';
import type { DecodeContext } from './payload';
import { materializeBytes } from './payload';
import { latin1Decode } from './strings';
import { LazyBytes, LazyString, PyGlobal, PySet, PyTuple, type PyDict, type PyKey, type PyValue } from './values';

/**
 * The only globals a pickle may name. A pickle "calls" a global by REDUCE/NEWOBJ; Python would
 * import and run it, which is how malicious pickles execute code. Here every name resolves to a
 * small JS emulation or is refused, so nothing in the file is ever executed.
 */
type GlobalImpl = ((args: PyValue[], ctx: DecodeContext) => PyValue | Promise<PyValue>) | 'marker';

function arg(args: PyValue[], i: number, what: string): PyValue {
  if (i >= args.length) throw new PickleError('malformed', `${what}: missing argument ${i + 1}`);
  return args[i] as PyValue;
}

const reconstruct: GlobalImpl = (args) => {
  const cls = arg(args, 0, '_reconstruct');
  if (!(cls instanceof PyGlobal) || cls.qualified !== 'numpy.ndarray') {
    throw new PickleError('unsupported', '_reconstruct of a numpy.ndarray subclass is not supported');
  }
  return new NDArray();
};

const frombuffer: GlobalImpl = async (args, ctx) => {
  const [buf, dtype, shape, order] = [0, 1, 2, 3].map((i) => arg(args, i, '_frombuffer'));
  if (!(dtype instanceof NpDtype)) throw new PickleError('malformed', '_frombuffer: second argument is not a dtype');
  if (order !== 'C' && order !== 'F') throw new PickleError('malformed', "_frombuffer: order must be 'C' or 'F'");
  const a = new NDArray();
  await a.fill(buf ?? null, dtype, toShape(shape), order === 'F', ctx);
  return a;
};

const makeDtype: GlobalImpl = (args) => {
  const spec = arg(args, 0, 'numpy.dtype');
  // Python 2 pickles spell the spec as a byte string.
  if (spec instanceof Uint8Array) return new NpDtype(latin1Decode(spec));
  if (typeof spec !== 'string') throw new PickleError('unsupported', 'numpy.dtype built from a non-string spec is not supported');
  return new NpDtype(spec);
};

const scalar: GlobalImpl = (args, ctx) => {
  const dtype = arg(args, 0, 'numpy scalar');
  if (!(dtype instanceof NpDtype)) throw new PickleError('malformed', 'numpy scalar: first argument is not a dtype');
  return decodeScalar(dtype, args[1] ?? null, ctx);
};

const LATIN1 = new Set(['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'l1']);

/** `_codecs.encode(text, 'latin1')` is how protocol 2 spells a bytes object. */
const codecsEncode: GlobalImpl = (args) => {
  const text = arg(args, 0, '_codecs.encode');
  const enc = args.length > 1 ? args[1] : 'utf-8';
  if (typeof enc !== 'string' || !LATIN1.has(enc.toLowerCase())) {
    throw new PickleError('unsupported', `_codecs.encode with encoding '${String(enc)}' is not supported (only latin-1)`);
  }
  if (typeof text === 'string') return latin1Encode(text);
  if (text instanceof LazyString) return new LazyBytes(text.source, text.offset, text.stored, 'latin1-utf8');
  throw new PickleError('malformed', '_codecs.encode: first argument is not a str');
};

const bytearray: GlobalImpl = async (args, ctx) => {
  if (args.length === 0) return new Uint8Array(0);
  const first = args[0] as PyValue;
  if (args.length >= 2) return codecsEncode(args, ctx);
  if (first instanceof Uint8Array || first instanceof LazyBytes) return materializeBytes(toPayload(first), ctx);
  throw new PickleError('unsupported', 'bytearray() from a non-bytes argument is not supported');
};

const orderedDict: GlobalImpl = (args) => {
  const d: PyDict = new Map();
  const items = args[0];
  const pairs = Array.isArray(items) ? items : items instanceof PyTuple ? items.items : [];
  for (const p of pairs) {
    const kv = p instanceof PyTuple ? p.items : Array.isArray(p) ? p : null;
    if (!kv || kv.length !== 2) throw new PickleError('malformed', 'OrderedDict: items must be pairs');
    d.set(toKey(kv[0] as PyValue), kv[1] as PyValue);
  }
  return d;
};

const makeSet =
  (frozen: boolean): GlobalImpl =>
  (args) => {
    const items = args[0];
    const list = Array.isArray(items) ? items : items instanceof PyTuple ? items.items : [];
    return new PySet([...list], frozen);
  };

const IMPLS = new Map<string, GlobalImpl>(Object.entries({
  'numpy.ndarray': 'marker',
  'numpy.dtype': makeDtype,
  'numpy.core.multiarray._reconstruct': reconstruct,
  'numpy._core.multiarray._reconstruct': reconstruct,
  'numpy.core.numeric._frombuffer': frombuffer,
  'numpy._core.numeric._frombuffer': frombuffer,
  'numpy.core.multiarray.scalar': scalar,
  'numpy._core.multiarray.scalar': scalar,
  '_codecs.encode': codecsEncode,
  'builtins.bytearray': bytearray,
  // bytes() is how protocols < 3 spell an empty bytes object (e.g. an empty array's data).
  'builtins.bytes': bytearray,
  'builtins.set': makeSet(false),
  'builtins.frozenset': makeSet(true),
  // Python 3 writes these names for protocols < 3 (fix_imports), Python 2 always.
  '__builtin__.bytearray': bytearray,
  '__builtin__.bytes': bytearray,
  '__builtin__.set': makeSet(false),
  '__builtin__.frozenset': makeSet(true),
  'collections.OrderedDict': orderedDict,
} satisfies Record<string, GlobalImpl>));

export const WHITELISTED_GLOBALS: readonly string[] = [...IMPLS.keys()];

/**
 * Top-level modules a refused global is named by even in a protocol 0/1 pickle. Those pickles are
 * text, and a text file that only looks like one (two one-word lines, the first starting with
 * 'c') must not have its lines echoed back as a "global".
 */
const KNOWN_MODULES = new Set([
  'os', 'posix', 'nt', 'subprocess', 'sys', 'builtins', '__builtin__', 'shutil', 'socket', 'pty', 'platform', 'importlib',
  'runpy', 'code', 'codecs', '_codecs', 'io', 'pickle', 'copyreg', 'copy_reg', 'functools', 'operator', 'types', 'collections',
  'webbrowser', 'numpy', 'torch', 'pandas', 'sklearn', 'scipy', 'tensorflow', 'joblib',
]);

export function resolveGlobal(module: string, name: string, position: number, binaryProtocol = true): PyGlobal {
  const q = `${module}.${name}`;
  if (!IMPLS.has(q)) {
    const nameable = binaryProtocol || KNOWN_MODULES.has(module.split('.')[0] ?? '');
    throw new PickleError(
      'unsafe-global',
      `refused: the pickle references ${nameable ? `the global '${q}'` : 'a global outside the allowed ones (not named: this file is text)'} (at byte ${position}); only numpy array reconstruction and a few harmless builtins are allowed, and nothing in the file was executed`,
      position,
      nameable ? q : undefined,
    );
  }
  return new PyGlobal(module, name);
}

export async function callGlobal(fn: PyValue, args: PyValue[], ctx: DecodeContext): Promise<PyValue> {
  if (!(fn instanceof PyGlobal)) {
    throw new PickleError('malformed', 'a pickle call (REDUCE/NEWOBJ) targets something that is not a global');
  }
  const impl = IMPLS.get(fn.qualified);
  if (impl === undefined || impl === 'marker') {
    throw new PickleError('unsupported', `calling '${fn.qualified}' is not supported`);
  }
  return impl(args, ctx);
}

/** Python dict keys must be hashable; map them to JS Map keys. */
export function toKey(k: PyValue): PyKey {
  if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return k;
  // py2 str keys arrive as bytes: read them as latin-1 text so 'train' is found either way.
  if (k instanceof Uint8Array) return latin1Decode(k);
  if (k instanceof PyTuple) return `(${k.items.map((x) => String(toKey(x))).join(', ')})`;
  throw new PickleError('unsupported', 'dict key of an unsupported (unhashable or complex) type');
}
