/**
 * A method card: everything the services, the CLI and the UI need to know about a method, without
 * loading its code (or tfjs). It sits beside the method's code, as tfjs's `registerClass` sits beside
 * a layer, and the registry lists it. Only `load()` reaches the model, lazily, in the run process.
 *
 * A card module imports, at runtime, only zod, src-shared and other card modules (test/unit/engine/
 * method-cards.test.ts walks the imports; type-only imports are free).
 */
import type { z } from 'zod';
import type { DatasetKind } from '../../../src-shared/domain';
import type { MethodFamily, TrainingCondition } from '../../../src-shared/methods';
import type { MethodContext, MethodInstance } from './method';

/** A strict zod object of knobs; every key is a knob stored with each run. */
export type KnobSchema = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;
export type Config = Record<string, unknown>;

/** One training phase as planned from the resolved config: the engine's instance must match it. */
export interface PhasePlan {
  name: string;
  epochs: number;
}

/** Builds the method's model and phases for one run; what `load()` resolves to. */
export type MethodFactory<C> = (ctx: MethodContext<C>) => MethodInstance;

export interface MethodCard<S extends KnobSchema = KnobSchema> {
  /** The id runs, the CLI and src-shared/results/paper.ts use (lowercase, e.g. `cubemlp`). */
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what the method is and how it is trained here. */
  readonly description: string;
  readonly family: MethodFamily;
  /**
   * Every knob, strict (an unknown key is refused), each with `.describe()` and its schema default
   * where one exists. Must declare `epochs` (epochs per phase: `--epochs` sets it).
   */
  readonly config: S;
  /** The dataset kinds the method can run on; runs on other kinds are refused before queueing. */
  readonly kinds: readonly DatasetKind[];
  /** Per-kind defaults merged over the schema's (spec §4's lr, batch size, epochs, …). */
  readonly defaults?: Partial<Record<DatasetKind, Partial<z.input<S>>>>;
  /** Named override sets (`--preset NAME`), applied over the defaults and under the user's knobs. */
  readonly presets?: Record<string, Partial<z.input<S>>>;
  /** Phase names and epochs from the resolved config, in training order. */
  phases(config: z.output<S>): PhasePlan[];
  /** What the method trains on; stored with every run as `trainingCondition`. */
  training(config: z.output<S>): TrainingCondition;
  /** Display name of the vector `represent()` returns (the embedding view shows it). */
  readonly representation: string;
  /** For a Table 3 ablation: the id of the method it ablates. */
  readonly ablationOf?: string;
  /**
   * A phase whose result is cached and reused across runs (a teacher): methods with the same
   * `group` can share it when seed, data, backend and the phase's knobs agree.
   */
  readonly teacher?: { phase: string; group: string };
  /**
   * The method reads no tensor synchronously in beginEpoch, trainStep or validate (it returns its
   * losses unread, StepLosses, and awaits `t.data()` where it needs a device value), so it can train
   * on webgpu, which has no synchronous read in Node. Opt-in: the method contract test checks it
   * for cards that declare it, and webgpu refuses to train a method that does not.
   */
  readonly asyncReads?: boolean;
  /** The model code, loaded on demand: `() => import('./model').then((m) => m.create)`. */
  load(): Promise<MethodFactory<z.output<S>>>;
}

/** A card in the registry: its config is seen as a plain record. */
export type RegisteredMethod = MethodCard<KnobSchema> & { load(): Promise<MethodFactory<Config>> };

/** Registers nothing by itself: it checks a card's types and erases its config type for the registry. */
export function defineMethod<S extends KnobSchema>(card: MethodCard<S>): RegisteredMethod {
  return card as unknown as RegisteredMethod;
}
