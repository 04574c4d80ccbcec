/**
 * A method's knobs as plain data for the UI and the CLI (key, type, default, range or values,
 * description), read from its zod schema through zod's own JSON Schema export, so nothing restates
 * a rule the schema holds. Cross-field checks (e.g. d divisible by heads) stay in the schema and
 * reach the user as errors from the services' resolution.
 */
import { z } from 'zod';
import type { KnobSummary, KnobValue } from '../../../src-shared/methods';
import type { KnobSchema } from './card';

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
}

/** JSON Schema's bound for "any safe integer", which says nothing to a reader. */
const UNBOUNDED = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

function bound(x: number | undefined): number | undefined {
  return x === undefined || UNBOUNDED.has(x) ? undefined : x;
}

function knobOf(key: string, prop: JsonSchema): KnobSummary {
  const variants = prop.anyOf ?? [prop];
  const nullable = variants.some((v) => v.type === 'null');
  const main = variants.find((v) => v.type !== 'null') ?? {};
  const type = main.type === 'integer' || main.type === 'boolean' || main.type === 'string' ? main.type : 'number';
  const values = main.const !== undefined ? [main.const] : main.enum;
  const out: KnobSummary = { key, type, nullable, description: prop.description ?? main.description ?? '' };
  if (prop.default !== undefined) out.default = prop.default as KnobValue;
  const b = { min: bound(main.minimum), max: bound(main.maximum), exclusiveMin: bound(main.exclusiveMinimum), exclusiveMax: bound(main.exclusiveMaximum) };
  for (const [k, v] of Object.entries(b)) if (v !== undefined) out[k as keyof typeof b] = v;
  if (values) out.values = values as KnobValue[];
  if (main.pattern) out.pattern = main.pattern;
  return out;
}

export function describeKnobs(schema: KnobSchema): KnobSummary[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema> };
  return Object.entries(json.properties ?? {}).map(([key, prop]) => knobOf(key, prop));
}
