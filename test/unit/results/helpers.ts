/** Fixtures of test/fixtures/results (written by gen_results.py) and run records for the results tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DatasetKind } from '../../../src-shared/domain';
import type { EvaluationRecord, RunStatus } from '../../../src-shared/models';
import type { RunResult } from '../../../src-shared/results';

const DIR = fileURLToPath(new URL('../../fixtures/results/', import.meta.url));

/** JSON has no NaN: the generator writes non-finite numbers as strings; stored metrics use null. */
function revive(_key: string, value: unknown): unknown {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

export function loadResultsFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${DIR}${name}`, 'utf8'), revive) as T;
}

export interface FixtureRun {
  run: number;
  dataset: string;
  datasetKind: DatasetKind;
  method: string;
  variant: string;
  seed: number;
  status: RunStatus;
  evaluations: EvaluationRecord[];
}

/** A stored run with invented provenance around the fixture's numbers. */
export function runResult(r: FixtureRun): RunResult {
  return {
    ...r,
    datasetSha256: `sha-${r.dataset}`,
    outcome: r.status === 'finished' ? 'completed' : null,
    error: r.status === 'failed' ? 'run process killed by SIGKILL before finishing' : null,
    config: { lr: 0.001, epochs: 1 },
    configHash: `hash-${r.method}`,
    codeVersion: 'abc123',
    backend: 'cpu',
    host: 'host-a',
    maskSeed: 0,
    timings: { trainSeconds: 1.5, totalSeconds: 2 },
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:02.000Z',
  };
}
