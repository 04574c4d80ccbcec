import type { DatasetKind } from '../../../src-shared/domain';

/** Spec §4: Adam learning rate, batch size and epochs per dataset (MOSI, MOSEI, IEMOCAP). */
export const SPEC_TRAINING: Record<DatasetKind, { lr: number; batchSize: number; epochs: number }> = {
  mosi: { lr: 1e-3, batchSize: 128, epochs: 50 },
  mosei: { lr: 2e-3, batchSize: 16, epochs: 20 },
  iemocap: { lr: 4e-3, batchSize: 32, epochs: 30 },
};
