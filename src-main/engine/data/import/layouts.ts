import { SPLITS, type Modality, type Split } from '../../../../src-shared/domain';
import type { Extractor, Tensor } from './extract';
import { typeName, type PyDict, type PyValue } from './pickle';

/**
 * The two pickle layouts in circulation (datasets.md §1, §2), read into one neutral shape.
 * Nothing is validated beyond structure here; numbers are checked in validate.ts.
 */
export type PickleFormat = 'mult' | 'mmsa';

export interface RawSplit {
  l: Tensor;
  a: Tensor;
  v: Tensor;
  labels: Tensor;
  ids: string[] | null;
  /** Key names in the file, for messages: {l: 'text', labels: 'regression_labels', ...}. */
  keys: Record<Modality | 'labels', string>;
  /** Key of the split in the file ('valid' or an alias such as 'dev'). */
  splitKey: string;
}

export interface RawDataset {
  format: PickleFormat;
  formatReason: string;
  splits: Record<Split, RawSplit>;
}

const SPLIT_ALIASES: Record<Split, string[]> = {
  train: ['train'],
  valid: ['valid', 'dev', 'val', 'validation'],
  test: ['test'],
};

const MODALITY_KEYS = { l: 'text', a: 'audio', v: 'vision' } as const;

export function readLayout(top: PyValue, x: Extractor, format?: PickleFormat): RawDataset {
  if (!(top instanceof Map)) {
    throw x.fail('layout', '', `top level is a ${typeName(top)}; expected a dict with keys train, valid and test (MulT or MMSA layout)`);
  }
  const splitDicts = {} as Record<Split, { key: string; d: PyDict }>;
  for (const split of SPLITS) {
    const key = SPLIT_ALIASES[split].find((k) => top.has(k));
    if (key === undefined) {
      throw x.fail(
        'missing-split',
        split,
        `missing split '${split}'; expected a dict with keys train, valid and test (keys present: ${[...top.keys()].map(String).join(', ')})`,
      );
    }
    splitDicts[split] = { key, d: x.dict(top.get(key) as PyValue, key, 'a dict of arrays (text, audio, vision, labels)') };
  }
  const probe = splitDicts.train.d;
  let chosen = format;
  let reason = format ? 'given by the caller' : '';
  if (!chosen) {
    if (probe.has('regression_labels')) {
      chosen = 'mmsa';
      reason = "split dicts hold 'regression_labels' (MMSA layout)";
    } else if (probe.has('labels') && (probe.has('audio') || probe.has('vision'))) {
      chosen = 'mult';
      reason = "split dicts hold 'text', 'audio', 'vision' and 'labels' (MulT layout)";
    } else {
      throw x.fail(
        'layout',
        '',
        "unrecognised pickle layout: the split dicts hold neither 'labels' with 'audio'/'vision' (MulT) nor 'regression_labels' (MMSA)",
        top,
      );
    }
  }
  const fmt = chosen;
  const splits = {} as Record<Split, RawSplit>;
  for (const split of SPLITS) {
    const { key, d } = splitDicts[split];
    splits[split] = fmt === 'mult' ? readMultSplit(d, key, x) : readMmsaSplit(d, key, x);
  }
  return { format: fmt, formatReason: reason, splits };
}

function modality(d: PyDict, splitKey: string, m: Modality, x: Extractor): Tensor {
  const key = MODALITY_KEYS[m];
  return x.tensor(x.get(d, key, splitKey, `a float array [N, T, D] of ${key} features`), `${splitKey}.${key}`);
}

function ids(d: PyDict, splitKey: string, x: Extractor): string[] | null {
  return d.has('id') ? x.strings(d.get('id') as PyValue, `${splitKey}.id`) : null;
}

function readMultSplit(d: PyDict, splitKey: string, x: Extractor): RawSplit {
  return {
    l: modality(d, splitKey, 'l', x),
    a: modality(d, splitKey, 'a', x),
    v: modality(d, splitKey, 'v', x),
    labels: x.tensor(x.get(d, 'labels', splitKey, 'labels [N, 1, 1] (sentiment) or [N, 4, 2] (IEMOCAP)'), `${splitKey}.labels`),
    ids: ids(d, splitKey, x),
    keys: { l: 'text', a: 'audio', v: 'vision', labels: 'labels' },
    splitKey,
  };
}

const TOKEN_IDS_HELP =
  'BERT token ids [N, 3, L] (input_ids, attention_mask, segment_ids) are not features: the workbench has no BERT encoder and needs precomputed text features [N, T, 768], the `text` array of MMSA\'s aligned_50.pkl';

/** [N, 3, L] holding only integers is token ids (datasets.md §2.1: detect by shape, not key name). */
function looksLikeTokenIds(t: Tensor): boolean {
  if (t.shape.length !== 3 || t.shape[1] !== 3) return false;
  if (/[iub]/.test(t.sourceDtype)) return true;
  return t.data.every((v) => Number.isInteger(v));
}

function readMmsaSplit(d: PyDict, splitKey: string, x: Extractor): RawSplit {
  if (!d.has('text')) {
    if (d.has('text_bert')) throw x.fail('token-ids', `${splitKey}.text`, `missing; the file holds only 'text_bert'. ${TOKEN_IDS_HELP}`);
  }
  const l = modality(d, splitKey, 'l', x);
  if (looksLikeTokenIds(l)) {
    throw x.fail('token-ids', `${splitKey}.text`, `has shape [${l.shape.join(', ')}] with integer values, i.e. token ids. ${TOKEN_IDS_HELP}`);
  }
  return {
    l,
    a: modality(d, splitKey, 'a', x),
    v: modality(d, splitKey, 'v', x),
    labels: x.tensor(x.get(d, 'regression_labels', splitKey, 'sentiment labels [N] in [-3, 3]'), `${splitKey}.regression_labels`),
    ids: ids(d, splitKey, x),
    keys: { l: 'text', a: 'audio', v: 'vision', labels: 'regression_labels' },
    splitKey,
  };
}
