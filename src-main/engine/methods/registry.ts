/**
 * Every method the engine can train, and the resolution of a run's full config:
 * schema defaults ← spec defaults for the dataset kind ← preset ← user overrides.
 */
import type { MethodSummary } from '../../../src-shared/models';
import type { DataShape } from '../types';
import { hrlfMethods, hrlfPresets } from './hrlf';
import { lfLinear } from './lf-linear/lf-linear';
import type { MethodDefinition } from './method';

type AnyMethod = MethodDefinition<Record<string, unknown>>;

const METHODS: AnyMethod[] = [lfLinear as unknown as AnyMethod, ...(hrlfMethods as unknown as AnyMethod[])];
/** Named config presets per method: HRLF and its ablations share `paper-literal` (spec §3b). */
const PRESETS: Record<string, Record<string, Record<string, unknown>>> = Object.fromEntries(
  hrlfMethods.map((m) => [m.id, hrlfPresets as Record<string, Record<string, unknown>>]),
);

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function listMethods(): MethodSummary[] {
  return METHODS.map((m) => ({ id: m.id, title: m.title, description: m.description }));
}

export function getMethod(id: string): AnyMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new ConfigError(`unknown method '${id}'; available: ${METHODS.map((x) => x.id).join(', ')}`, 'method');
  return m;
}

export function presetsOf(id: string): string[] {
  return Object.keys(PRESETS[id] ?? {});
}

export interface ConfigRequest {
  method: string;
  preset?: string;
  epochs?: number;
  overrides?: Record<string, unknown>;
}

/** The complete, validated config of a run; errors name the offending knob. */
export function resolveConfig(shape: DataShape, req: ConfigRequest): Record<string, unknown> {
  const method = getMethod(req.method);
  let preset: Record<string, unknown> = {};
  if (req.preset) {
    const found = PRESETS[method.id]?.[req.preset];
    if (!found) {
      throw new ConfigError(`unknown preset '${req.preset}' for ${method.id}; available: ${presetsOf(method.id).join(', ') || 'none'}`, 'preset');
    }
    preset = found;
  }
  const merged = {
    ...method.defaults(shape),
    ...preset,
    ...(req.overrides ?? {}),
    ...(req.epochs !== undefined ? { epochs: req.epochs } : {}),
  };
  const parsed = method.configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || undefined;
    throw new ConfigError(`config ${field ?? ''}: ${issue.message}`.trim(), field);
  }
  return parsed.data;
}
