/**
 * Parsing of the experiment builder's text fields: seeds as the CLI takes them ("1111-1115",
 * "1,2,5"), one config variant dimension ("lr=0.001,0.002") and config knobs ("lr=0.002 d=40"), each
 * with the reason it is refused.
 */
export type ConfigValue = number | boolean | string;

const MAX_SEED = 2 ** 31 - 1;

export function parseSeeds(text: string): { seeds: number[] } | { error: string } {
  const seeds: number[] = [];
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) return { error: 'at least one seed' };
  for (const part of parts) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) return { error: `${part}: the range runs backwards` };
      if (b - a >= 100) return { error: `${part}: at most 100 seeds` };
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      return { error: `${part}: not an integer or a range such as 1111-1115` };
    }
  }
  if (seeds.some((s) => s > MAX_SEED)) return { error: `seeds are at most ${MAX_SEED}` };
  if (new Set(seeds).size !== seeds.length) return { error: 'each seed once' };
  if (seeds.length > 100) return { error: 'at most 100 seeds' };
  return { seeds };
}

function scalar(text: string): ConfigValue {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

export interface Variant {
  name: string;
  config: Record<string, ConfigValue>;
}

/** "" → no variants; "lr=0.001,0.002" → two variants named lr=0.001 and lr=0.002. */
export function parseVary(text: string): { variants: Variant[] } | { error: string } {
  const t = text.trim();
  if (t === '') return { variants: [] };
  const m = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(t);
  if (!m) return { error: 'write key=value1,value2 (e.g. lr=0.001,0.002)' };
  const values = m[2]!.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) return { error: 'an empty value' };
  if (new Set(values).size !== values.length) return { error: 'each value once' };
  return { variants: values.map((v) => ({ name: `${m[1]}=${v}`, config: { [m[1]!]: scalar(v) } })) };
}

/**
 * Config knobs as the CLI's `--set` takes them: "lr=0.002 dropout=0.2", whitespace-separated so
 * values with commas or semicolons (msmSubsets 'l,v;l,a,v') stay whole. Only the syntax is checked
 * here; the services validate the knobs against the method's schema (methods.checkConfig).
 */
export function parseKnobs(text: string): { config: Record<string, ConfigValue> } | { error: string } {
  const config: Record<string, ConfigValue> = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(pair);
    if (!m) return { error: `${pair}: write key=value, e.g. lr=0.002` };
    if (m[1]! in config) return { error: `${m[1]} given twice` };
    config[m[1]!] = scalar(m[2]!);
  }
  return { config };
}
