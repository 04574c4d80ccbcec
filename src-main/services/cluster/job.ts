/**
 * What a cluster job carries: data only. A worker accepts a job only when every field checks out
 * against this schema, the method is one the engine knows, and the config is exactly what the
 * method's own schema makes of it; anything else is refused with the reason stored on the run.
 * Nothing in a job is a path or code: the dataset is named by its SHA-256.
 */
import { z } from 'zod';
import { canonicalJson } from '../../../src-shared/canonical-json';
import type { DatasetKind } from '../../../src-shared/domain';
import { BACKENDS } from '../../../src-shared/models';
import { getMethod, resolveConfig } from '../../engine/methods/registry';
import { configHash } from '../provenance';
import { knobsOnly } from '../stored-config';

const SHA256 = /^[a-f0-9]{64}$/;
const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export const JobDatasetSchema = z.strictObject({
  /** The coordinator's dataset id: a built-in's id is generated locally; otherwise only a label. */
  id: z.string().max(200).regex(NAME),
  name: z.string().max(200),
  builtin: z.boolean(),
  sha256: z.string().regex(SHA256, 'a SHA-256 in hex'),
});
export type JobDataset = z.infer<typeof JobDatasetSchema>;

export const RunJobSchema = z.strictObject({
  v: z.literal(1),
  coordinator: z.string().regex(/^[a-f0-9]{16}$/),
  run: z.number().int().positive(),
  attempt: z.number().int().positive(),
  method: z.string().max(100).regex(NAME),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  config: z.record(
    z.string().max(100),
    z.union([z.number(), z.boolean(), z.null(), z.string().max(10_000), z.array(z.union([z.number(), z.string().max(1000)])).max(1000)]),
  ),
  configHash: z.string().regex(/^[a-f0-9]{16}$/),
  backend: z.enum(BACKENDS).nullable(),
  maskSeed: z.number().int().min(0).max(2 ** 31 - 1),
  epochsPlanned: z.number().int().positive().max(1_000_000),
  dataset: JobDatasetSchema,
  /** The coordinator's dataset endpoint, for workers without a copy; null: none. */
  datasetsUrl: z.string().max(2000).regex(/^https?:\/\/[^\s]+$/).nullable(),
  codeVersion: z.string().max(100),
});
export type RunJob = z.infer<typeof RunJobSchema>;

/** A job the worker will not run: the reason goes back to the coordinator and onto the run. */
export class JobRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRefused';
  }
}

export function parseJob(data: unknown): RunJob {
  const parsed = RunJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new JobRefused(`malformed job: ${issue.path.join('.') || 'data'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Re-validates a job's config on the worker with the method's own schema: the method must exist,
 * the config must be complete and valid (resolving it again changes nothing), and its hash must be
 * the one the coordinator stored, so the worker trains exactly the run the store describes.
 */
export function validateJobConfig(job: RunJob, kind: DatasetKind): void {
  try {
    getMethod(job.method);
    const knobs = knobsOnly(job.config);
    const resolved = resolveConfig(kind, { method: job.method, overrides: knobs });
    if (canonicalJson(resolved) !== canonicalJson(knobs)) {
      const changed = Object.keys(resolved).filter((k) => canonicalJson(resolved[k]) !== canonicalJson(knobs[k]));
      throw new JobRefused(`config is not the complete, validated config of ${job.method} (differs in ${changed.join(', ')})`);
    }
    if (configHash(job.method, resolved) !== job.configHash) throw new JobRefused(`config hash ${job.configHash} does not match the config`);
  } catch (err) {
    if (err instanceof JobRefused) throw err;
    throw new JobRefused((err as Error).message);
  }
}
