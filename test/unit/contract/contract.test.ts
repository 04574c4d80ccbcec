import { describe, expect, it } from 'vitest';
import { ContractFailure, EVENT_NAMES, REQUEST_NAMES, contract, parseInput } from '../../../src-shared/contract';

describe('contract', () => {
  it('declares every operation once, as a request or an event', () => {
    expect(REQUEST_NAMES).toEqual([
      'app.info',
      'datasets.list',
      'datasets.get',
      'datasets.import',
      'datasets.sample',
      'methods.list',
      'methods.checkConfig',
      'runs.list',
      'runs.get',
      'runs.start',
      'runs.cancel',
      'runs.retry',
      'queue.state',
      'queue.pause',
      'queue.resume',
      'cluster.state',
      'cluster.configure',
      'projections.compute',
      'scenarios.list',
      'scenarios.save',
      'scenarios.preview',
      'experiments.create',
      'experiments.list',
      'experiments.get',
      'experiments.results',
      'experiments.export',
      'runs.results',
      'runs.export',
      'reproduce.plan',
      'reproduce.start',
    ]);
    expect(EVENT_NAMES).toEqual(['run.progress', 'run.epoch', 'run.status', 'dataset.import']);
    for (const name of Object.keys(contract)) expect([...REQUEST_NAMES, ...EVENT_NAMES]).toContain(name);
  });

  it('validates projection requests', () => {
    expect(parseInput('projections.compute', { runId: 1, condition: 'l', algorithm: 'tsne' })).toMatchObject({ seed: 0, perClass: 100 });
    expect(() => parseInput('projections.compute', { runId: 1, condition: 'l', algorithm: 'lda' })).toThrow(/algorithm/);
    expect(() => parseInput('projections.compute', { runId: 1, condition: 'l', algorithm: 'umap', minDist: 2 })).toThrow(/minDist/);
  });

  it('fills defaults for a valid run request', () => {
    expect(parseInput('runs.start', { dataset: 'synth-mosi', method: 'lf-linear' })).toEqual({
      dataset: 'synth-mosi',
      method: 'lf-linear',
      seed: 1111,
      config: {},
    });
  });

  it.each([
    [{ dataset: 'synth-mosi', method: 'lf-linear', seed: 1.5 }, 'seed'],
    [{ dataset: 'synth-mosi', method: 'lf-linear', seed: -1 }, 'seed'],
    [{ dataset: 'synth-mosi', method: 'lf-linear', epochs: 0 }, 'epochs'],
    [{ dataset: '', method: 'lf-linear' }, 'dataset'],
    [{ dataset: 'synth-mosi', method: '../etc' }, 'method'],
    [{ dataset: 'synth-mosi', method: 'lf-linear', backend: 'gpu' }, 'backend'],
    [{ dataset: 'synth-mosi', method: 'lf-linear', config: { lr: { nested: 1 } } }, 'config.lr'],
  ])('rejects %j naming the field %s', (input, field) => {
    try {
      parseInput('runs.start', input);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ContractFailure);
      expect((err as ContractFailure).error.code).toBe('invalid_input');
      expect((err as ContractFailure).error.field).toBe(field);
    }
  });

  it('accepts a dataset import with optional name, format and kind', () => {
    expect(parseInput('datasets.import', { path: '/data/mosi_data.pkl' })).toEqual({ path: '/data/mosi_data.pkl' });
    expect(parseInput('datasets.import', { path: 'C:\\data\\x.pkl', name: ' MOSI ', format: 'mult', kind: 'mosi' })).toEqual({
      path: 'C:\\data\\x.pkl',
      name: 'MOSI',
      format: 'mult',
      kind: 'mosi',
    });
  });

  it.each([
    ['datasets.import', { path: 'mosi_data.pkl' }, 'path'],
    ['datasets.import', { path: '' }, 'path'],
    ['datasets.import', {}, 'path'],
    ['datasets.import', { path: '/x.pkl', kind: 'sims' }, 'kind'],
    ['datasets.import', { path: '/x.pkl', format: 'hdf5' }, 'format'],
    ['datasets.import', { path: '/x.pkl', name: '   ' }, 'name'],
    ['datasets.get', { id: '' }, 'id'],
    ['datasets.sample', { id: 'synth-mosi', split: 'dev', index: 0 }, 'split'],
    ['datasets.sample', { id: 'synth-mosi', split: 'train', index: -1 }, 'index'],
    ['datasets.sample', { id: 'synth-mosi', split: 'train', index: 0.5 }, 'index'],
  ] as const)('%s rejects %j naming the field %s', (op, input, field) => {
    try {
      parseInput(op, input);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect((err as ContractFailure).error).toMatchObject({ code: 'invalid_input', field });
    }
  });

  it('rejects unknown keys and non-object payloads', () => {
    expect(() => parseInput('runs.get', { id: 1, extra: true })).toThrow(ContractFailure);
    expect(() => parseInput('runs.get', 'DROP TABLE runs')).toThrow(/runs.get/);
    expect(() => parseInput('runs.get', { id: '1' })).toThrow(/id/);
    expect(() => parseInput('datasets.import', { path: '/x.pkl', evil: true })).toThrow(ContractFailure);
  });
});
