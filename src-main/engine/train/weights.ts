import * as tf from '@tensorflow/tfjs-core';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/** Host copies of variable values, in `variables()` order. */
export type Snapshot = Float32Array[];

/** Read asynchronously (webgpu cannot read synchronously in Node); always fresh copies. */
export async function snapshot(vars: tf.Variable[]): Promise<Snapshot> {
  return Promise.all(vars.map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

export function restore(vars: tf.Variable[], snap: Snapshot): void {
  if (snap.length !== vars.length) throw new Error(`snapshot holds ${snap.length} tensors, the model has ${vars.length}`);
  vars.forEach((v, i) => {
    const values = snap[i]!;
    if (values.length !== v.size) throw new Error(`weight ${v.name}: ${values.length} values, expected ${v.size} (shape ${v.shape.join('x')})`);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  });
}

/** Saves a snapshot atomically: sizes header (JSON line) then raw float32. */
export function saveSnapshot(path: string, snap: Snapshot, meta: Record<string, unknown> = {}): void {
  const header = Buffer.from(JSON.stringify({ meta, sizes: snap.map((s) => s.length) }) + '\n', 'utf8');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, header);
    for (const s of snap) writeSync(fd, new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function loadSnapshot(path: string): { snap: Snapshot; meta: Record<string, unknown> } {
  const buf = readFileSync(path);
  const nl = buf.indexOf(10);
  const { meta, sizes } = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { meta: Record<string, unknown>; sizes: number[] };
  let off = nl + 1;
  const snap = sizes.map((n) => {
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(buf.subarray(off, off + n * 4));
    off += n * 4;
    return out;
  });
  return { snap, meta };
}
