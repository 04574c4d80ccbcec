import { Budget, MAX_INT_BYTES } from './budget';
import { NpDtype } from './dtype';
import { OP } from './opcodes';
import { PickleError } from './errors';
import { callGlobal, resolveGlobal, toKey } from './globals';
import { NDArray } from './numpy';
import { type DecodeContext, materializeBytes, materializeString } from './payload';
import type { ByteSource } from './source';
import { decodeLong, lineText, parseFloatText, parseIntText, parseQuotedBytes, parseRawUnicodeEscape } from './text';
import { LazyBytes, LazyString, PyGlobal, PySet, PyTuple, type PyDict, type PyValue } from './values';
import { Window } from './window';

export interface UnpickleOptions {
  /** Window and decode step in bytes (default 4 MiB). Tests use tiny values to exercise chunking. */
  chunkSize?: number;
  /** bytes/str payloads larger than this stay in the file until an array consumes them (default 1 MiB). */
  lazyThreshold?: number;
  /** Called with (bytes processed, file size) every `progressEveryBytes`; the reader yields to the event loop then. */
  onProgress?: (done: number, total: number) => void;
  progressEveryBytes?: number;
}

export interface UnpickleResult {
  value: PyValue;
  /** Protocol from the PROTO opcode; 0 when absent (protocol 0/1). */
  protocol: number;
  /** Whitelisted globals the file used, e.g. to tell numpy 1.x from 2.x writers. */
  globals: string[];
}

const utf8 = new TextDecoder('utf-8');

/** Globals that consume a (possibly huge) payload, and which argument it is. */
const PAYLOAD_ARG = new Map<string, number>([
  ['_codecs.encode', 0],
  ['builtins.bytearray', 0],
  ['__builtin__.bytearray', 0],
  ['builtins.bytes', 0],
  ['__builtin__.bytes', 0],
  ['numpy.core.numeric._frombuffer', 0],
  ['numpy._core.numeric._frombuffer', 0],
  ['numpy.core.multiarray.scalar', 1],
  ['numpy._core.multiarray.scalar', 1],
]);

/** Read one pickle from `source`. The source stays owned by the caller. */
export async function unpickle(source: ByteSource, options: UnpickleOptions = {}): Promise<UnpickleResult> {
  const u = new Unpickler(source, options);
  const value = await u.run();
  return { value, protocol: u.protocol, globals: [...u.globalsSeen] };
}

class Unpickler {
  protocol = 0;
  readonly globalsSeen = new Set<string>();
  private readonly w: Window;
  private readonly stack: PyValue[] = [];
  /** Stack heights at each open MARK. */
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly lazyThreshold: number;
  private readonly ctx: DecodeContext;
  private readonly budget: Budget;
  private skipped = 0;
  private payloadDone = 0;
  private lastReport = 0;
  private readonly every: number;

  constructor(
    private readonly source: ByteSource,
    private readonly options: UnpickleOptions,
  ) {
    const chunkSize = options.chunkSize ?? 4 << 20;
    this.w = new Window(source, chunkSize);
    this.lazyThreshold = options.lazyThreshold ?? 1 << 20;
    this.every = options.progressEveryBytes ?? 32 << 20;
    this.budget = new Budget(source.size);
    this.ctx = {
      chunkSize,
      progress: async (n) => {
        this.payloadDone += n;
        await this.tick();
      },
      elements: (count) => this.budget.elements(count),
    };
  }

  private get done(): number {
    return Math.min(this.source.size, this.w.position - this.skipped + this.payloadDone);
  }

  private async tick(): Promise<void> {
    const done = this.done;
    if (done - this.lastReport < this.every) return;
    this.lastReport = done;
    this.options.onProgress?.(done, this.source.size);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private fail(code: 'malformed' | 'unsupported' | 'limits', msg: string, at: number): PickleError {
    return new PickleError(code, `${msg} (at byte ${at})`, at);
  }

  private push(v: PyValue): void {
    this.stack.push(v);
  }

  private pop(at: number): PyValue {
    const floor = this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : 0;
    if (this.stack.length <= floor) throw this.fail('malformed', 'pickle stack underflow', at);
    return this.stack.pop() as PyValue;
  }

  private top(at: number): PyValue {
    const floor = this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : 0;
    if (this.stack.length <= floor) throw this.fail('malformed', 'pickle stack underflow', at);
    return this.stack[this.stack.length - 1] as PyValue;
  }

  private popMark(at: number): PyValue[] {
    const m = this.marks.pop();
    if (m === undefined) throw this.fail('malformed', 'pickle has no MARK to pop to', at);
    return this.stack.splice(m);
  }

  private bytesPayload(n: number): PyValue {
    if (n < 0) throw this.fail('malformed', 'negative length', this.w.position);
    if (n > this.lazyThreshold) {
      const lazy = new LazyBytes(this.source, this.w.position, n, 'raw');
      this.w.skip(n);
      this.skipped += n;
      return lazy;
    }
    return this.w.bytes(n);
  }

  private strPayload(n: number): PyValue {
    if (n > this.lazyThreshold) {
      const lazy = new LazyString(this.source, this.w.position, n);
      this.w.skip(n);
      this.skipped += n;
      return lazy;
    }
    return utf8.decode(this.w.bytes(n));
  }

  private text(v: PyValue, at: number, what: string): string {
    if (typeof v === 'string') return v;
    if (v instanceof LazyString) return materializeString(v);
    throw this.fail('malformed', `${what} is not a string`, at);
  }

  private memoGet(i: number, at: number): void {
    if (!this.memo.has(i)) throw this.fail('malformed', `memo key ${i} is missing`, at);
    this.push(this.memo.get(i) as PyValue);
  }

  private memoPut(i: number, at: number): void {
    this.memo.set(i, this.top(at));
  }

  private global(module: string, name: string, at: number): void {
    const g = resolveGlobal(module, name, at, this.protocol >= 2);
    this.globalsSeen.add(g.qualified);
    this.push(g);
  }

  private async call(fn: PyValue, args: PyValue, at: number): Promise<void> {
    if (!(args instanceof PyTuple)) throw this.fail('malformed', 'call arguments are not a tuple', at);
    // Only an array payload may stay in the file; every other argument (dtype specs, encodings,
    // order flags) is small and needed as a value.
    const payloadAt = fn instanceof PyGlobal ? PAYLOAD_ARG.get(fn.qualified) : undefined;
    const resolved = await Promise.all(args.items.map((a, i) => (i === payloadAt ? a : this.concrete(a))));
    try {
      this.push(await callGlobal(fn, resolved, this.ctx));
    } catch (e) {
      if (e instanceof PickleError && e.position === undefined) {
        throw new PickleError(e.code, `${e.message} (at byte ${at})`, at, e.globalName);
      }
      throw e;
    }
  }

  /** An integer opcode's argument: long ones are refused before the quadratic bigint conversion. */
  private intLine(at: number): string {
    const line = this.w.line();
    if (line.length > MAX_INT_BYTES) throw this.fail('limits', `an integer of ${line.length} digits; at most ${MAX_INT_BYTES} are accepted`, at);
    return lineText(line);
  }

  private list(v: PyValue, at: number): PyValue[] {
    if (!Array.isArray(v)) throw this.fail('malformed', 'APPEND target is not a list', at);
    return v;
  }

  private dict(v: PyValue, at: number): PyDict {
    if (!(v instanceof Map)) throw this.fail('malformed', 'SETITEM target is not a dict', at);
    return v;
  }

  async run(): Promise<PyValue> {
    const w = this.w;
    let ops = 0;
    for (;;) {
      const at = w.position;
      if (w.atEnd) {
        throw new PickleError('truncated', `file ends at byte ${at} before the pickle's STOP opcode`, at);
      }
      const op = w.byte();
      switch (op) {
        case OP.PROTO: {
          this.protocol = w.byte();
          if (this.protocol > 5) throw this.fail('unsupported', `pickle protocol ${this.protocol} is not supported (0–5 are)`, at);
          break;
        }
        case OP.FRAME:
          w.u64(); // frames only announce sizes; the window reads across them
          break;
        case OP.STOP: {
          const v = this.pop(at);
          return await this.resolveLazy(v);
        }
        case OP.MARK:
          this.marks.push(this.stack.length);
          break;
        case OP.POP: {
          const floor = this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : -1;
          if (this.stack.length === floor) this.marks.pop();
          else this.pop(at);
          break;
        }
        case OP.POP_MARK:
          this.popMark(at);
          break;
        case OP.DUP:
          this.push(this.top(at));
          break;
        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;
        case OP.BININT1:
          this.push(w.byte());
          break;
        case OP.BININT2:
          this.push(w.u16());
          break;
        case OP.BININT:
          this.push(w.i32());
          break;
        case OP.LONG1:
          this.push(decodeLong(w.bytes(w.byte())));
          break;
        case OP.LONG4: {
          const n = w.i32();
          if (n < 0) throw this.fail('malformed', 'negative LONG4 length', at);
          if (n > MAX_INT_BYTES) throw this.fail('limits', `an integer of ${n} bytes; at most ${MAX_INT_BYTES} are accepted`, at);
          this.push(decodeLong(w.bytes(n)));
          break;
        }
        case OP.INT: {
          const t = this.intLine(at);
          this.push(t === '00' ? false : t === '01' ? true : parseIntText(t));
          break;
        }
        case OP.LONG:
          this.push(parseIntText(this.intLine(at)));
          break;
        case OP.FLOAT:
          this.push(parseFloatText(lineText(w.line())));
          break;
        case OP.BINFLOAT:
          this.push(w.f64be());
          break;
        case OP.STRING:
          this.push(parseQuotedBytes(w.line()));
          break;
        // Python 2 `str` is bytes; treat it as such (numpy raw data written by Python 2 arrives here).
        case OP.BINSTRING:
          this.push(this.bytesPayload(w.i32()));
          break;
        case OP.SHORT_BINSTRING:
        case OP.SHORT_BINBYTES:
          this.push(this.bytesPayload(w.byte()));
          break;
        case OP.BINBYTES:
          this.push(this.bytesPayload(w.u32()));
          break;
        case OP.BINBYTES8:
        case OP.BYTEARRAY8:
          this.push(this.bytesPayload(w.u64()));
          break;
        case OP.UNICODE:
          this.push(parseRawUnicodeEscape(w.line()));
          break;
        case OP.BINUNICODE:
          this.push(this.strPayload(w.u32()));
          break;
        case OP.SHORT_BINUNICODE:
          this.push(this.strPayload(w.byte()));
          break;
        case OP.BINUNICODE8:
          this.push(this.strPayload(w.u64()));
          break;
        case OP.EMPTY_TUPLE:
          this.push(new PyTuple([]));
          break;
        case OP.TUPLE: {
          const items = this.popMark(at);
          this.push(this.budget.container(new PyTuple(items), items, at));
          break;
        }
        case OP.TUPLE1:
        case OP.TUPLE2:
        case OP.TUPLE3: {
          const n = op - OP.TUPLE1 + 1;
          const items: PyValue[] = [];
          for (let i = 0; i < n; i++) items.unshift(this.pop(at));
          this.push(this.budget.container(new PyTuple(items), items, at));
          break;
        }
        case OP.EMPTY_LIST:
          this.push([]);
          break;
        case OP.LIST: {
          const items = this.popMark(at);
          this.push(this.budget.container(items, items, at));
          break;
        }
        case OP.APPEND: {
          const v = this.pop(at);
          const target = this.list(this.top(at), at);
          this.budget.add(target, [v], at);
          target.push(v);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark(at);
          const target = this.list(this.top(at), at);
          this.budget.add(target, items, at);
          for (const v of items) target.push(v);
          break;
        }
        case OP.EMPTY_DICT:
          this.push(new Map());
          break;
        case OP.DICT: {
          const items = this.popMark(at);
          const d: PyDict = new Map();
          this.push(d);
          await this.setItems(d, items, at);
          break;
        }
        case OP.SETITEM: {
          const v = this.pop(at);
          const k = this.pop(at);
          await this.setItems(this.dict(this.top(at), at), [k, v], at);
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark(at);
          await this.setItems(this.dict(this.top(at), at), items, at);
          break;
        }
        case OP.EMPTY_SET:
          this.push(new PySet([], false));
          break;
        case OP.ADDITEMS: {
          const items = this.popMark(at);
          const s = this.top(at);
          if (!(s instanceof PySet)) throw this.fail('malformed', 'ADDITEMS target is not a set', at);
          this.budget.add(s, items, at);
          for (const v of items) s.items.push(v);
          break;
        }
        case OP.FROZENSET: {
          const items = this.popMark(at);
          this.push(this.budget.container(new PySet(items, true), items, at));
          break;
        }
        case OP.GET:
          this.memoGet(Number(parseIntText(this.intLine(at))), at);
          break;
        case OP.BINGET:
          this.memoGet(w.byte(), at);
          break;
        case OP.LONG_BINGET:
          this.memoGet(w.u32(), at);
          break;
        case OP.PUT:
          this.memoPut(Number(parseIntText(this.intLine(at))), at);
          break;
        case OP.BINPUT:
          this.memoPut(w.byte(), at);
          break;
        case OP.LONG_BINPUT:
          this.memoPut(w.u32(), at);
          break;
        case OP.MEMOIZE:
          this.memoPut(this.memo.size, at);
          break;
        case OP.GLOBAL: {
          const module = lineText(w.line());
          const name = lineText(w.line());
          this.global(module, name, at);
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.text(this.pop(at), at, 'STACK_GLOBAL name');
          const module = this.text(this.pop(at), at, 'STACK_GLOBAL module');
          this.global(module, name, at);
          break;
        }
        case OP.REDUCE: {
          const args = this.pop(at);
          const fn = this.pop(at);
          await this.call(fn, args, at);
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop(at);
          const cls = this.pop(at);
          await this.call(cls, args, at);
          break;
        }
        case OP.NEWOBJ_EX: {
          const kwargs = this.pop(at);
          const args = this.pop(at);
          const cls = this.pop(at);
          if (!(kwargs instanceof Map) || kwargs.size > 0) throw this.fail('unsupported', 'NEWOBJ_EX with keyword arguments', at);
          await this.call(cls, args, at);
          break;
        }
        case OP.INST: {
          const module = lineText(w.line());
          const name = lineText(w.line());
          const args = this.popMark(at);
          const g = resolveGlobal(module, name, at, this.protocol >= 2);
          this.globalsSeen.add(g.qualified);
          await this.call(g, new PyTuple(args), at);
          break;
        }
        case OP.OBJ: {
          const [cls, ...args] = this.popMark(at);
          await this.call(cls ?? null, new PyTuple(args), at);
          break;
        }
        case OP.BUILD: {
          const state = this.pop(at);
          await this.build(this.top(at), state, at);
          break;
        }
        case OP.PERSID:
        case OP.BINPERSID:
          throw this.fail('unsupported', 'the pickle uses persistent IDs (e.g. a torch.save file); they refer to data outside the pickle', at);
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4:
          throw this.fail('unsupported', 'the pickle uses the copyreg extension registry (EXT opcodes)', at);
        case OP.NEXT_BUFFER:
          throw this.fail(
            'unsupported',
            'the pickle uses out-of-band buffers (protocol 5 with buffer_callback); their data is not in this file. Re-save it with pickle.dump(obj, f, protocol=5) without buffer_callback',
            at,
          );
        case OP.READONLY_BUFFER:
          // Only marks the buffer on the stack read-only; in-band data is already bytes here.
          this.top(at);
          break;
        default: {
          if (at === 0) throw new PickleError('not-pickle', 'not a pickle: the first byte is not a pickle opcode', 0);
          throw this.fail('malformed', 'invalid pickle opcode', at);
        }
      }
      if ((++ops & 0x3ff) === 0) await this.tick();
    }
  }

  /** A deferred payload as an ordinary value. */
  private async concrete(v: PyValue): Promise<PyValue> {
    if (v instanceof LazyString) return materializeString(v);
    if (v instanceof LazyBytes) return materializeBytes(v, this.ctx);
    return v;
  }

  /** Keys and values from a flat [k, v, k, v, …] list into `d`, within the budget. */
  private async setItems(d: PyDict, items: PyValue[], at: number): Promise<void> {
    const values: PyValue[] = [];
    for (let i = 1; i < items.length; i += 2) values.push(items[i] as PyValue);
    this.budget.add(d, values, at);
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i] as PyValue;
      this.budget.key(k, at);
      d.set(toKey(await this.concrete(k)), items[i + 1] as PyValue);
    }
  }

  private async build(target: PyValue, state: PyValue, at: number): Promise<void> {
    if (target !== null && typeof target === 'object') this.budget.assertUnplaced(target, at);
    // State strings (byte order, ...) are needed as values; only an array's raw data (last item) may stay in the file.
    const keep = target instanceof NDArray && state instanceof PyTuple ? state.items.length - 1 : -1;
    const resolved = state instanceof PyTuple ? new PyTuple(await Promise.all(state.items.map((v, i) => (i === keep ? v : this.concrete(v))))) : state;
    try {
      if (target instanceof NDArray) await target.setState(resolved, this.ctx);
      else if (target instanceof NpDtype) target.setState(resolved);
      else if (target instanceof Map && (resolved === null || (resolved instanceof Map && resolved.size === 0))) return;
      else throw new PickleError('unsupported', 'BUILD (object state) on an object this reader does not model');
    } catch (e) {
      if (e instanceof PickleError && e.position === undefined) throw new PickleError(e.code, `${e.message} (at byte ${at})`, at);
      throw e;
    }
  }

  /** Payloads nobody consumed become ordinary values before the file is closed. */
  private async resolveLazy(root: PyValue): Promise<PyValue> {
    const seen = new Set<object>();
    const fix = async (v: PyValue): Promise<PyValue> => {
      if (v instanceof LazyString) return materializeString(v);
      if (v instanceof LazyBytes) return materializeBytes(v, this.ctx);
      if (v === null || typeof v !== 'object' || seen.has(v)) return v;
      seen.add(v);
      const list = Array.isArray(v) ? v : v instanceof PyTuple || v instanceof PySet ? v.items : null;
      if (list) {
        for (let i = 0; i < list.length; i++) list[i] = await fix(list[i] as PyValue);
      } else if (v instanceof Map) {
        for (const [k, x] of v) v.set(k, await fix(x));
      } else if (v instanceof NDArray && v.storage.kind === 'object') {
        const vals = v.storage.values;
        for (let i = 0; i < vals.length; i++) vals[i] = await fix(vals[i] as PyValue);
      }
      return v;
    };
    return fix(root);
  }
}
