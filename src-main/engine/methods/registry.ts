/**
 * Every method the engine can train (one line each), and the one resolution of a run's config:
 * schema defaults ← the card's defaults for the dataset kind ← preset ← user overrides ← epochs.
 * Services, the CLI and Electron main use this module without loading tfjs: cards only.
 */
import { DATASET_KINDS, type DatasetKind } from '../../../src-shared/domain';
import type { KnobValue, MethodSummary, PhaseSummary, TrainingCondition } from '../../../src-shared/methods';
import type { Backend } from '../../../src-shared/models';
import type { Config, RegisteredMethod } from './card';
import { corrkd } from './corrkd/card';
import { cubemlp } from './cubemlp/card';
import { dmd } from './dmd/card';
import { gcnet } from './gcnet/card';
import { hrlf, hrlfWithoutFrf, hrlfWithoutHal, hrlfWithoutHmi } from './hrlf/card';
import { describeKnobs } from './knob-summary';
import { lfLinear } from './lf-linear/card';
import { selfMm } from './self-mm/card';
import { smil } from './smil/card';
import { mctnFaithful, mctnJoint } from './mctn/card';
import { transm } from './transm/card';
import type { MethodContext, MethodInstance } from './method';

/** The registry: adding a method is one line here (and its folder). Order: how lists show them. */
export const METHODS: readonly RegisteredMethod[] = [
  lfLinear,
  hrlf,
  hrlfWithoutFrf,
  hrlfWithoutHmi,
  hrlfWithoutHal,
  cubemlp,
  selfMm,
  dmd,
  mctnFaithful,
  mctnJoint,
  transm,
  smil,
  gcnet,
  corrkd,
];

/**
 * A config or method choice that cannot run. `field`: 'method', 'preset', 'dataset', or the knob
 * (the contract reports it as `config.<knob>`).
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function getMethod(id: string): RegisteredMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new ConfigError(`unknown method '${id}'; available: ${METHODS.map((x) => x.id).join(', ')}`, 'method');
  return m;
}

export function isRegistered(id: string): boolean {
  return METHODS.some((m) => m.id === id);
}

/** The knob names of a method, in schema order. */
export function knobsOf(method: RegisteredMethod): string[] {
  return Object.keys(method.config.shape);
}

/** Refuses a dataset kind the method does not support, before anything is queued. */
export function assertRunsOn(method: RegisteredMethod, kind: DatasetKind): void {
  if (!method.kinds.includes(kind)) {
    throw new ConfigError(
      `${method.id} cannot run on ${kind.toUpperCase()} datasets; it runs on ${method.kinds.map((k) => k.toUpperCase()).join(', ')}`,
      'dataset',
    );
  }
}

/**
 * Refuses webgpu for a method that reads tensors synchronously in its steps (its card does not
 * declare `asyncReads`): tfjs-webgpu cannot read synchronously in Node, so it would fail mid-run.
 */
export function assertTrainsOn(method: RegisteredMethod, backend: Backend | undefined): void {
  if (backend === 'webgpu' && !method.asyncReads) {
    throw new ConfigError(
      `${method.id} cannot train on webgpu: its steps read tensors synchronously, which webgpu cannot do in Node (its card does not declare asyncReads); use --backend wasm or cpu`,
      'backend',
    );
  }
}

export interface ConfigRequest {
  method: string;
  /** The backend the user forced, if any (webgpu is refused for methods without asyncReads). */
  backend?: Backend;
  preset?: string;
  epochs?: number;
  overrides?: Record<string, unknown>;
}

/** A run's resolved config and what follows from it. */
export interface ResolvedRun {
  config: Config;
  phases: PhaseSummary[];
  /** Epochs over all phases. */
  epochs: number;
  training: TrainingCondition;
}

/** The complete, validated config of a run on a dataset of `kind`; errors name the offending knob. */
export function resolveRun(kind: DatasetKind, req: ConfigRequest): ResolvedRun {
  return resolveRunOf(getMethod(req.method), kind, req);
}

/** resolveRun for a card in hand (the registry's, or a test's). */
export function resolveRunOf(method: RegisteredMethod, kind: DatasetKind, req: Omit<ConfigRequest, 'method'>): ResolvedRun {
  assertRunsOn(method, kind);
  assertTrainsOn(method, req.backend);
  let preset: Config = {};
  if (req.preset) {
    const found = method.presets?.[req.preset];
    if (!found) {
      throw new ConfigError(`unknown preset '${req.preset}' for ${method.id}; available: ${Object.keys(method.presets ?? {}).join(', ') || 'none'}`, 'preset');
    }
    preset = found;
  }
  const knobs = knobsOf(method);
  const user = { ...(req.overrides ?? {}), ...(req.epochs !== undefined ? { epochs: req.epochs } : {}) };
  const unknown = Object.keys(user).find((k) => !knobs.includes(k));
  if (unknown !== undefined) {
    throw new ConfigError(`config ${unknown}: ${method.id} has no knob '${unknown}'; its knobs: ${knobs.join(', ')}`, unknown);
  }
  const parsed = method.config.safeParse({ ...method.defaults?.[kind], ...preset, ...user });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || undefined;
    throw new ConfigError(`config ${field ?? ''}: ${issue.message}`.replace('config :', 'config:'), field);
  }
  const config = parsed.data as Config;
  const phases = method.phases(config).map((p) => ({ name: p.name, epochs: p.epochs }));
  return { config, phases, epochs: phases.reduce((n, p) => n + p.epochs, 0), training: method.training(config) };
}

/** The resolved config alone (tests, benchmarks). */
export function resolveConfig(kind: DatasetKind, req: ConfigRequest): Config {
  return resolveRun(kind, req).config;
}

/** The method's own model for one run: loads its code (and tfjs) on first use. */
export async function instantiate(id: string, ctx: MethodContext<Config>): Promise<MethodInstance> {
  const create = await getMethod(id).load();
  return create(ctx);
}

/** Ids of the methods sharing a teacher group with `method` (itself included). */
function teacherSharers(method: RegisteredMethod): string[] {
  const group = method.teacher?.group;
  return group === undefined ? [] : METHODS.filter((m) => m.teacher?.group === group).map((m) => m.id);
}

export function describeMethod(method: RegisteredMethod): MethodSummary {
  return {
    id: method.id,
    title: method.title,
    description: method.description,
    family: method.family,
    representation: method.representation,
    ablationOf: method.ablationOf ?? null,
    presets: Object.keys(method.presets ?? {}),
    teacher: method.teacher ? { phase: method.teacher.phase, sharedWith: teacherSharers(method) } : null,
    knobs: describeKnobs(method.config),
    kinds: DATASET_KINDS.filter((k) => method.kinds.includes(k)).map((kind) => {
      const run = resolveRunOf(method, kind, {});
      return { kind, config: run.config as Record<string, KnobValue>, phases: run.phases, training: run.training };
    }),
  };
}

export function listMethods(): MethodSummary[] {
  return METHODS.map(describeMethod);
}
