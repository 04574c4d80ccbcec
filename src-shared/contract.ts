/**
 * The one declaration of every operation between a UI and the services. The Electron preload,
 * the main-process IPC wiring, the WebSocket server and client, and the renderer's typed client
 * are all derived from this object, so an operation cannot exist on one side only.
 */
import { z } from 'zod';
import { QueueUrlSchema, type ClusterState } from './cluster';
import { DATASET_KINDS, INTER_CONDITIONS, SPLITS } from './domain';
import type { AppInfo, DatasetDetail, DatasetImportResult, DatasetSample, DatasetSummary, MethodSummary, ProjectionView, QueueState, RunDetail, RunSummary, ScenarioPreview } from './models';
import { BACKENDS } from './models';
import type { MethodConfigCheck } from './methods';
import { ScenarioSpecSchema, type ScenarioSummary } from './results/scenario';
import {
  DEFAULT_SEEDS,
  type ExperimentDetail,
  type ExperimentResults,
  type ExperimentSummary,
  type ExportDocument,
  type ReproducePlan,
  type ReproduceStarted,
} from './results/types';

/** Phantom carrier of an output type; never read at runtime. */
type Out<T> = { readonly __out?: T };

export interface RequestDef<I extends z.ZodType, O> {
  kind: 'request';
  input: I;
  output: Out<O>;
}
export interface EventDef<P extends z.ZodType> {
  kind: 'event';
  payload: P;
}

/** `request<Output>()(inputSchema)`: curried so the input type is inferred and the output named. */
function request<O>() {
  return <I extends z.ZodType>(input: I): RequestDef<I, O> => ({ kind: 'request', input, output: {} });
}
function event<P extends z.ZodType>(payload: P): EventDef<P> {
  return { kind: 'event', payload };
}

const id = z.number().int().positive();
const seed = z.number().int().min(0).max(2 ** 31 - 1);
const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export const RunStartInput = z.strictObject({
  dataset: z.string().min(1).max(200),
  method: z.string().regex(NAME, 'a method id such as lf-linear'),
  seed: seed.default(1111),
  epochs: z.number().int().min(1).max(1000).optional(),
  backend: z.enum(BACKENDS).optional(),
  preset: z.string().regex(NAME).optional(),
  config: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
});
export type RunStartInput = z.input<typeof RunStartInput>;

/**
 * What runs.start would do with these fields, resolved and validated exactly as it would be
 * (forms call it as the user types); nothing is queued. Errors carry the knob as `config.<knob>`.
 */
export const MethodsCheckConfigInput = RunStartInput.pick({ dataset: true, method: true, epochs: true, preset: true, config: true });
export type MethodsCheckConfigInput = z.input<typeof MethodsCheckConfigInput>;

const datasetId = z.string().min(1).max(200);

/** POSIX `/…`, Windows `C:\…` or `\\server\…`: the services run elsewhere than the UI, so a relative path has no meaning. */
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

export const DatasetImportInput = z.strictObject({
  path: z.string().min(1, 'the path of the file to import').max(4096).regex(ABSOLUTE_PATH, 'an absolute path, e.g. /data/mosi_data.pkl'),
  name: z.string().trim().min(1).max(100).optional(),
  /** Overrides layout detection. 'csd': a folder of CMU-SDK computational sequences (text, audio, visual, labels). */
  format: z.enum(['mult', 'mmsa', 'csd']).optional(),
  /** Needed only where the kind cannot be detected (e.g. a renamed file with non-standard sizes). */
  kind: z.enum(DATASET_KINDS).optional(),
});
export type DatasetImportInput = z.input<typeof DatasetImportInput>;

export const DatasetImportEvent = z.object({
  path: z.string(),
  /** 'read': parsing the file (bytes); 'check': validating; 'write': storing the converted dataset. */
  phase: z.enum(['read', 'check', 'write']),
  done: z.number(),
  total: z.number(),
});
export type DatasetImportEvent = z.infer<typeof DatasetImportEvent>;

const methodId = z.string().regex(NAME, 'a method id such as lf-linear');
const configRecord = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]));
const distinct = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

export const ScenarioSaveInput = z.strictObject({
  name: z.string().trim().min(1, 'a name').max(100).regex(/^[^\r\n]+$/, 'one line'),
  description: z.string().max(2000).optional(),
  spec: ScenarioSpecSchema,
  /** Overwrite the user scenario of that name (never a built-in). */
  replace: z.boolean().optional(),
});
export type ScenarioSaveInput = z.input<typeof ScenarioSaveInput>;

/** One test sample of a dataset before and after a scenario's evaluation mask and one MSM draw. */
export const ScenarioPreviewInput = z.strictObject({
  dataset: datasetId,
  /** Row of the test split: evaluation masks are drawn for the test split. */
  index: z.number().int().min(0).default(0),
  spec: ScenarioSpecSchema,
  condition: z.enum(INTER_CONDITIONS),
  p: z.number().min(0).max(1),
  /** Seed of the illustrative MSM draw (training draws come from the run's own stream). */
  msmSeed: seed.default(0),
});
export type ScenarioPreviewInput = z.input<typeof ScenarioPreviewInput>;

/** methods × datasets × seeds × config variants under a scenario; everything is validated before anything is queued. */
export const ExperimentCreateInput = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  methods: z.array(methodId).min(1, 'at least one method').max(50).refine(distinct, 'each method once'),
  datasets: z.array(datasetId).min(1, 'at least one dataset').max(20).refine(distinct, 'each dataset once'),
  seeds: z
    .array(seed)
    .min(1, 'at least one seed')
    .max(100)
    .refine(distinct, 'each seed once')
    .default(() => [...DEFAULT_SEEDS]),
  epochs: z.number().int().min(1).max(1000).optional(),
  backend: z.enum(BACKENDS).optional(),
  preset: z.string().regex(NAME).optional(),
  /** Overrides for every run. */
  config: configRecord.default({}),
  /** A grid dimension: each variant's overrides go over `config`; none = one unnamed variant. */
  variants: z
    .array(z.strictObject({ name: z.string().trim().min(1).max(100), config: configRecord }))
    .max(50)
    .refine((v) => distinct(v.map((x) => x.name)), 'each variant name once')
    .default([]),
  /** Scenario id or name. */
  scenario: z.union([id, z.string().min(1).max(100)]).default('paper'),
  /** Method the results compare against by default (significance). */
  reference: methodId.optional(),
});
export type ExperimentCreateInput = z.input<typeof ExperimentCreateInput>;

const tableNumber = z.union([z.literal(1), z.literal(2), z.literal(3)]);

/** How results are summarised: the reference method and test for `*`, and which layout and metric. */
const resultOptions = {
  /** Method id to compare against; null: none; absent: the experiment's own reference. */
  reference: methodId.nullable().optional(),
  test: z.enum(['welch', 'paired']).default('welch'),
  /** Lay the results out as this paper table (default: the table the experiment reproduces, if any). */
  table: tableNumber.optional(),
  metric: z.string().regex(/^[A-Za-z0-9_.]+$/, 'a metric name such as f1_non0').default('f1_non0'),
  /** Which columns carry `*`: the paper marks Avg. only. */
  marks: z.enum(['avg', 'all']).default('avg'),
};

export const ExperimentResultsInput = z.strictObject({ id, ...resultOptions });
export const ExperimentExportInput = z.strictObject({
  id,
  format: z.enum(['csv', 'csv-wide', 'latex', 'json']),
  ...resultOptions,
  /**
   * The paper's numbers where they are not shown by default: LaTeX lists the paper's rows that were
   * not run; CSV (paper layout) adds the paper's rows beside synthetic results.
   */
  paperRows: z.boolean().default(false),
});

/** Any finished runs, compared as one experiment would be (single runs, runs of several experiments). */
const runSelection = z.array(id).min(1, 'at least one run').max(500).refine(distinct, 'each run once');
export const RunsResultsInput = z.strictObject({ runs: runSelection, ...resultOptions });
export const RunsExportInput = z.strictObject({
  runs: runSelection,
  format: z.enum(['csv', 'csv-wide', 'latex', 'json']),
  ...resultOptions,
  paperRows: z.boolean().default(false),
});

export const ReproduceInput = z.strictObject({
  table: tableNumber,
  /** Number of seeds, 1111 upward. */
  seeds: z.number().int().min(1).max(20).default(5),
  epochs: z.number().int().min(1).max(1000).optional(),
  backend: z.enum(BACKENDS).optional(),
  /** Run these methods instead of the table's implemented ones (e.g. lf-linear while HRLF is not available). */
  methods: z.array(methodId).min(1).max(20).refine(distinct, 'each method once').optional(),
  /** Use the synthetic datasets even where a real one is imported. */
  synthetic: z.boolean().default(false),
  reference: methodId.optional(),
});
export type ReproduceInput = z.input<typeof ReproduceInput>;

export const LossesSchema = z.record(z.string(), z.number());

export const RunProgressEvent = z.object({
  runId: id,
  phase: z.string(),
  epoch: z.number().int(),
  epochs: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
  losses: LossesSchema,
  etaSeconds: z.number().nullable(),
});
export type RunProgressEvent = z.infer<typeof RunProgressEvent>;

export const RunEpochEvent = z.object({
  runId: id,
  phase: z.string(),
  epoch: z.number().int(),
  train: LossesSchema,
  valid: LossesSchema,
  seconds: z.number(),
});
export type RunEpochEvent = z.infer<typeof RunEpochEvent>;

export const RunStatusEvent = z.object({ runId: id, status: z.string(), error: z.string().nullable() });
export type RunStatusEvent = z.infer<typeof RunStatusEvent>;

export const ProjectionInput = z.strictObject({
  runId: id,
  condition: z.string().min(1).max(40),
  algorithm: z.enum(['tsne', 'umap', 'pca']),
  seed: seed.default(0),
  perClass: z.number().int().min(2).max(2000).default(100),
  perplexity: z.number().min(2).max(100).optional(),
  neighbors: z.number().int().min(2).max(200).optional(),
  minDist: z.number().min(0).max(1).optional(),
});
export type ProjectionInput = z.input<typeof ProjectionInput>;

export const contract = {
  'app.info': request<AppInfo>()(z.strictObject({})),
  'datasets.list': request<DatasetSummary[]>()(z.strictObject({})),
  'datasets.get': request<DatasetDetail>()(z.strictObject({ id: datasetId })),
  'datasets.import': request<DatasetImportResult>()(DatasetImportInput),
  'datasets.sample': request<DatasetSample>()(z.strictObject({ id: datasetId, split: z.enum(SPLITS), index: z.number().int().min(0) })),
  'methods.list': request<MethodSummary[]>()(z.strictObject({})),
  'methods.checkConfig': request<MethodConfigCheck>()(MethodsCheckConfigInput),
  'runs.list': request<RunSummary[]>()(z.strictObject({})),
  'runs.get': request<RunDetail>()(z.strictObject({ id })),
  'runs.start': request<RunSummary>()(RunStartInput),
  'runs.cancel': request<RunSummary>()(z.strictObject({ id })),
  'runs.retry': request<RunSummary>()(z.strictObject({ id })),
  'queue.state': request<QueueState>()(z.strictObject({})),
  'queue.pause': request<QueueState>()(z.strictObject({})),
  'queue.resume': request<QueueState>()(z.strictObject({})),
  /** The cluster queue in use (URL without its password), its connection, and the workers that announced themselves. */
  'cluster.state': request<ClusterState>()(z.strictObject({})),
  /** Sends the queue to a cluster (a Redis URL, checked before anything changes) or back to this machine (null). */
  'cluster.configure': request<ClusterState>()(z.strictObject({ url: QueueUrlSchema.nullable() })),
  'projections.compute': request<ProjectionView>()(ProjectionInput),
  'scenarios.list': request<ScenarioSummary[]>()(z.strictObject({})),
  'scenarios.save': request<ScenarioSummary>()(ScenarioSaveInput),
  'scenarios.preview': request<ScenarioPreview>()(ScenarioPreviewInput),
  'experiments.create': request<ExperimentDetail>()(ExperimentCreateInput),
  'experiments.list': request<ExperimentSummary[]>()(z.strictObject({})),
  'experiments.get': request<ExperimentDetail>()(z.strictObject({ id })),
  'experiments.results': request<ExperimentResults>()(ExperimentResultsInput),
  'experiments.export': request<ExportDocument>()(ExperimentExportInput),
  'runs.results': request<ExperimentResults>()(RunsResultsInput),
  'runs.export': request<ExportDocument>()(RunsExportInput),
  'reproduce.plan': request<ReproducePlan>()(ReproduceInput),
  'reproduce.start': request<ReproduceStarted>()(ReproduceInput),
  'run.progress': event(RunProgressEvent),
  'run.epoch': event(RunEpochEvent),
  'run.status': event(RunStatusEvent),
  'dataset.import': event(DatasetImportEvent),
} as const;

export type Contract = typeof contract;
export type RequestName = { [K in keyof Contract]: Contract[K] extends RequestDef<z.ZodType, unknown> ? K : never }[keyof Contract];
export type EventName = { [K in keyof Contract]: Contract[K] extends EventDef<z.ZodType> ? K : never }[keyof Contract];
export type RequestInput<K extends RequestName> = Contract[K] extends RequestDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInput<K extends RequestName> = Contract[K] extends RequestDef<infer I, unknown> ? z.output<I> : never;
export type RequestOutput<K extends RequestName> = Contract[K] extends RequestDef<z.ZodType, infer O> ? O : never;
export type EventPayload<K extends EventName> = Contract[K] extends EventDef<infer P> ? z.infer<P> : never;

export const REQUEST_NAMES = Object.keys(contract).filter((k) => contract[k as keyof Contract].kind === 'request') as RequestName[];
export const EVENT_NAMES = Object.keys(contract).filter((k) => contract[k as keyof Contract].kind === 'event') as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && (REQUEST_NAMES as string[]).includes(name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as string[]).includes(name);
}

/** Errors cross the boundary as data; the UI shows `message` next to `field` when given. */
export interface ContractError {
  code: 'invalid_input' | 'unknown_operation' | 'not_found' | 'conflict' | 'internal' | 'forbidden';
  message: string;
  field?: string;
}

export class ContractFailure extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
    this.name = 'ContractFailure';
  }
}

/** Validates an operation's input; throws ContractFailure naming the first offending field. */
export function parseInput<K extends RequestName>(name: K, input: unknown): ParsedInput<K> {
  const def = contract[name] as RequestDef<z.ZodType, unknown>;
  const result = def.input.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
    throw new ContractFailure({
      code: 'invalid_input',
      message: `${name}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid input'}`,
      ...(field ? { field } : {}),
    });
  }
  return result.data as ParsedInput<K>;
}

export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractFailure) return err.error;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** What every transport offers the renderer: typed requests and typed event subscriptions. */
export interface ContractClient {
  request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

/** Envelope used by the IPC and WebSocket transports. */
export type ResponseEnvelope = { ok: true; output: unknown } | { ok: false; error: ContractError };
