/**
 * Results on the wire: a worker forwards each message its engine process sends (the protocol of
 * engine/protocol.ts) inside an envelope naming the run, the job and the worker execution. Float
 * arrays travel as little-endian float32 in base64 (they are float32 values, so this is exact);
 * everything else as JSON, as the store itself keeps it. The coordinator validates every envelope.
 */
import { z } from 'zod';
import type { ChildMessage } from '../../engine/protocol';

const f32 = z.strictObject({ f32: z.base64() });
type F32 = z.infer<typeof f32>;

export function encodeF32(values: number[]): F32 {
  const a = Float32Array.from(values);
  return { f32: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

export function decodeF32(v: F32): number[] {
  const bytes = Buffer.from(v.f32, 'base64');
  if (bytes.length % 4 !== 0) throw new Error('float32 array of a length not divisible by 4');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return Array.from(out);
}

/** JSON turns NaN and ±Infinity into null; the store does the same, so null stands for them. */
const num = z.number().nullable();
const losses = z.record(z.string().max(100), num);
const metrics = z.record(z.string().max(100), z.union([num, z.record(z.string().max(100), num)]));
const label = z.string().max(200);

const WireMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('started'), backend: z.enum(['tensorflow', 'wasm', 'cpu']), pid: z.number().int() }),
  z.strictObject({ type: z.literal('progress'), phase: label, epoch: z.number().int(), epochs: z.number().int(), step: z.number().int(), steps: z.number().int(), losses }),
  z.strictObject({
    type: z.literal('epoch'),
    record: z.strictObject({ phase: label, epoch: z.number().int().min(0), train: losses, valid: losses, seconds: z.number() }),
  }),
  z.strictObject({ type: z.literal('phase-reused'), phase: label, cacheFile: z.string().max(4096), epochs: z.number().int().min(0) }),
  z.strictObject({
    type: z.literal('evaluated'),
    protocol: z.enum(['inter', 'intra']),
    condition: label,
    metrics,
    predictions: f32,
    width: z.number().int().min(0),
    labels: f32,
  }),
  z.strictObject({ type: z.literal('representation'), condition: label, values: f32, width: z.number().int().min(1), labels: f32 }),
  z.strictObject({ type: z.literal('teacher-evaluated'), metrics }),
  z.strictObject({ type: z.literal('done'), outcome: z.enum(['completed', 'collapsed']), message: z.string().max(10_000).nullable(), timings: losses }),
  z.strictObject({ type: z.literal('cancelled') }),
  z.strictObject({ type: z.literal('failed'), error: z.string().max(20_000) }),
]);

export const EnvelopeSchema = z.strictObject({
  run: z.number().int().positive(),
  job: z.string().max(200),
  /** One execution of the job on one worker; a takeover after a worker died is a new one. */
  exec: z.string().max(200),
  worker: z.strictObject({ id: z.string().max(200), host: z.string().max(255), pid: z.number().int() }),
  msg: WireMessage,
});
export type Envelope = z.infer<typeof EnvelopeSchema>;
export type WorkerIdentity = Envelope['worker'];

/** The engine messages a worker forwards (the one-shot jobs' replies never belong to a run). */
export type RunMessage = Exclude<ChildMessage, { type: 'generated' } | { type: 'projected' }>;

export function isRunMessage(msg: ChildMessage): msg is RunMessage {
  return msg.type !== 'generated' && msg.type !== 'projected';
}

export function encodeMessage(msg: RunMessage): Envelope['msg'] {
  switch (msg.type) {
    case 'evaluated':
      return { ...msg, predictions: encodeF32(msg.predictions), labels: encodeF32(msg.labels) };
    case 'representation':
      return { ...msg, values: encodeF32(msg.values), labels: encodeF32(msg.labels) };
    default:
      return msg as Envelope['msg'];
  }
}

/** Parses and checks one envelope; the message comes back as the engine sent it. */
export function decodeEnvelope(text: string): { envelope: Envelope; msg: RunMessage } {
  const envelope = EnvelopeSchema.parse(JSON.parse(text));
  const m = envelope.msg;
  let msg: RunMessage;
  switch (m.type) {
    case 'evaluated':
      msg = { ...m, predictions: decodeF32(m.predictions), labels: decodeF32(m.labels) } as RunMessage;
      break;
    case 'representation':
      msg = { ...m, values: decodeF32(m.values), labels: decodeF32(m.labels) } as RunMessage;
      break;
    default:
      msg = m as RunMessage;
  }
  return { envelope, msg };
}
