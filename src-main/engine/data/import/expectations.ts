import type { DatasetKind, Modality, Split } from '../../../../src-shared/domain';

/** Reference facts the report compares a file against (datasets.md §2.3, §4, §5). */

/** HRLF paper §4.2: GloVe 300, COVAREP 74, FACET 35 for every dataset. */
export const PAPER_DIMS: Record<Modality, number> = { l: 300, a: 74, v: 35 };

/** Segment counts per split as commonly published; MOSI verified from the SDK labels and folds. */
export const EXPECTED_COUNTS: Record<DatasetKind, Record<Split, number>> = {
  mosi: { train: 1284, valid: 229, test: 686 },
  mosei: { train: 16326, valid: 1871, test: 4659 },
  iemocap: { train: 2717, valid: 798, test: 938 },
};

/** Published SHA-256 of the MMSA release files (thuiar/MMSA README). */
export const MMSA_RELEASE_SHA256: Record<string, string> = {
  '78e0f8b5ef8ff71558e7307848fc1fa929ecb078203f565ab22b9daab2e02524': 'MMSA MOSI/Processed/unaligned_50.pkl',
  'd3994fd25681f9c7ad6e9c6596a6fe9b4beb85ff7d478ba978b124139002e5f9': 'MMSA MOSI/Processed/aligned_50.pkl',
  'ad8b23d50557045e7d47959ce6c5b955d8d983f2979c7d9b7b9226f6dd6fec1f': 'MMSA MOSEI/Processed/unaligned_50.pkl',
  '45eccfb748a87c80ecab9bfac29582e7b1466bf6605ff29d3b338a75120bf791': 'MMSA MOSEI/Processed/aligned_50.pkl',
  'c9e20c13ec0454d98bb9c1e520e490c75146bfa2fdeeea78d84de047dbdd442f': 'MMSA SIMS/Processed/unaligned_39.pkl',
};

/** Why a detected dim may differ from the paper's, per dataset and modality. */
export function dimNote(kind: DatasetKind, m: Modality, detected: number): string | null {
  if (detected === PAPER_DIMS[m]) return null;
  if (kind === 'mosi' && m === 'a' && detected === 5) {
    return 'MOSI files from MulT/MMSA keep 5 COVAREP features after feature selection (MulT maintainers, MulT#4/#40); the paper quotes 74';
  }
  if (kind === 'mosi' && m === 'v' && detected === 20) {
    return 'MOSI files from MulT/MMSA keep 20 FACET features after feature selection (MulT maintainers, MulT#4/#40); the paper quotes 35';
  }
  if (m === 'l' && detected === 768) {
    return 'BERT text features (MMSA release) where the paper used 300-d GloVe: runs on this file deviate from the paper';
  }
  return `the paper states ${PAPER_DIMS[m]}; this file has ${detected}`;
}
