import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/import/', import.meta.url));
/** Real public files the importer tests read (the MOSI label .csd), with their provenance. */
export const REAL = fileURLToPath(new URL('../../fixtures/real', import.meta.url));
/** The bundled label table and folds derived from it (resources/datasets/PROVENANCE.md). */
export const BUNDLED_DATASETS = fileURLToPath(new URL('../../../resources/datasets', import.meta.url));

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export interface ModalityExpect {
  shape: number[];
  nan: number;
  posInf: number;
  negInf: number;
  sum: number;
  allZeroSamples: number;
}

export interface SplitExpect {
  n: number;
  l: ModalityExpect;
  a: ModalityExpect;
  v: ModalityExpect;
  labels: number[][];
}

export interface FileExpect {
  protocol?: number;
  kind?: string;
  format?: string;
  numpy2?: boolean;
  seed?: number;
  error?: string;
  splits?: Record<'train' | 'valid' | 'test', SplitExpect>;
}

export interface Expected {
  numpy_version: string;
  files: Record<string, FileExpect>;
  mmsa_lengths: Record<string, number[]>;
}

/** Values numpy computed when it wrote the fixtures (gen_fixtures.py). */
export const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Expected;

export function validFixtures(): [string, FileExpect][] {
  return Object.entries(expected.files).filter(([, e]) => e.splits !== undefined);
}

/** Sum with non-finite values counted as 0, in float64 like numpy's check. */
export function finiteSum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (Number.isFinite(v)) s += v;
  }
  return s;
}

export function countWhere(a: ArrayLike<number>, pred: (v: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (pred(a[i] as number)) n++;
  return n;
}
