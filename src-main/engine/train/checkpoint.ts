/**
 * A run's resumable state, one folder per run. After every epoch the trainer writes the phase's
 * current weights with its optimizer state, the best weights so far, then state.json (last, so a
 * crash between the writes resumes from the previous, complete epoch). A finished phase leaves its
 * final weights, which later phases build on (the student needs its teacher).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '../../../src-shared/models';
import { loadSnapshot, saveSnapshot, type Snapshot } from './weights';

export interface CheckpointState {
  /** Index of the phase in progress (phases before it are complete). */
  phaseIndex: number;
  /** Epochs of that phase already completed. */
  epoch: number;
  bestLoss: number | null;
  bestEpoch: number | null;
  /**
   * Every epoch record so far, all phases: a supervisor killed between an epoch's checkpoint and
   * storing its record gets the record again on resume (storing it is idempotent).
   */
  history: EpochRecord[];
}

export class RunCheckpoint {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    return join(this.dir, name);
  }

  readState(): CheckpointState | null {
    const f = this.file('state.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as CheckpointState) : null;
  }

  private writeState(state: CheckpointState): void {
    const f = this.file('state.json');
    writeFileSync(`${f}.tmp`, JSON.stringify(state));
    renameSync(`${f}.tmp`, f);
  }

  saveEpoch(phase: string, state: CheckpointState, current: Snapshot, best: Snapshot | null): void {
    mkdirSync(this.dir, { recursive: true });
    saveSnapshot(this.file(`${phase}.current.weights`), current);
    if (best) saveSnapshot(this.file(`${phase}.best.weights`), best);
    this.writeState(state);
  }

  savePhaseFinal(phase: string, weights: Snapshot, nextPhaseIndex: number, history: EpochRecord[]): void {
    mkdirSync(this.dir, { recursive: true });
    saveSnapshot(this.file(`${phase}.final.weights`), weights);
    this.writeState({ phaseIndex: nextPhaseIndex, epoch: 0, bestLoss: null, bestEpoch: null, history });
  }

  loadCurrent(phase: string): Snapshot {
    return loadSnapshot(this.file(`${phase}.current.weights`)).snap;
  }

  loadBest(phase: string): Snapshot | null {
    const f = this.file(`${phase}.best.weights`);
    return existsSync(f) ? loadSnapshot(f).snap : null;
  }

  loadFinal(phase: string): Snapshot {
    return loadSnapshot(this.file(`${phase}.final.weights`)).snap;
  }
}
