import { describe, expect, it } from 'vitest';
import { ContractFailure, parseInput, type RequestName } from '../../../src-shared/contract';

describe('experiment, scenario, reproduce and export operations in the contract', () => {
  it('fills the defaults of an experiment: the five seeds 1111-1115, the paper scenario, one unnamed variant', () => {
    expect(parseInput('experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'] })).toEqual({
      methods: ['lf-linear'],
      datasets: ['synth-mosi'],
      seeds: [1111, 1112, 1113, 1114, 1115],
      config: {},
      variants: [],
      scenario: 'paper',
    });
    expect(parseInput('reproduce.plan', { table: 2 })).toEqual({ table: 2, seeds: 5, synthetic: false });
    expect(parseInput('experiments.export', { id: 1, format: 'latex' })).toMatchObject({ test: 'welch', metric: 'f1_non0', marks: 'avg', paperRows: false });
  });

  it.each([
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: [1111, 1.5] }, 'seeds.1'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: ['1111'] }, 'seeds.0'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: [1111, 1111] }, 'seeds'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], seeds: [] }, 'seeds'],
    ['experiments.create', { methods: [], datasets: ['synth-mosi'] }, 'methods'],
    ['experiments.create', { methods: ['lf-linear', 'lf-linear'], datasets: ['synth-mosi'] }, 'methods'],
    ['experiments.create', { methods: ['../x'], datasets: ['synth-mosi'] }, 'methods.0'],
    ['experiments.create', { methods: ['lf-linear'], datasets: [] }, 'datasets'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], variants: [{ name: 'a', config: {} }, { name: 'a', config: {} }] }, 'variants'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], config: { lr: [1] } }, 'config.lr'],
    ['experiments.create', { methods: ['lf-linear'], datasets: ['synth-mosi'], epochs: 0 }, 'epochs'],
    ['scenarios.save', { name: 'x', spec: { evaluation: { intra: [0.25] } } }, 'spec.evaluation.intra.0'],
    ['scenarios.save', { name: ' ', spec: {} }, 'name'],
    ['experiments.export', { id: 1, format: 'xlsx' }, 'format'],
    ['experiments.results', { id: 1, test: 'mann-whitney' }, 'test'],
    ['runs.results', { runs: [] }, 'runs'],
    ['runs.results', { runs: [3, 3] }, 'runs'],
    ['runs.results', { runs: [0] }, 'runs.0'],
    ['runs.export', { runs: [3], format: 'xlsx' }, 'format'],
    ['reproduce.plan', { table: 4 }, 'table'],
    ['reproduce.plan', { table: 1, seeds: 0 }, 'seeds'],
  ] as const)('%s rejects %j naming the field %s', (op: RequestName, input, field) => {
    try {
      parseInput(op, input);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ContractFailure);
      expect((err as ContractFailure).error).toMatchObject({ code: 'invalid_input', field });
    }
  });
});
