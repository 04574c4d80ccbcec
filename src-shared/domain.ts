/** Domain vocabulary shared by every layer: datasets, modalities, evaluation conditions. */

export const MODALITIES = ['l', 'a', 'v'] as const;
export type Modality = (typeof MODALITIES)[number];

export const DATASET_KINDS = ['mosi', 'mosei', 'iemocap'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export type Task = 'regression' | 'classification';

export const IEMOCAP_EMOTIONS = ['Neutral', 'Happy', 'Sad', 'Angry'] as const;
export type Emotion = (typeof IEMOCAP_EMOTIONS)[number];

export const SPLITS = ['train', 'valid', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** The seven inter-modality conditions of spec §5, named by the modalities that remain. */
export const INTER_CONDITIONS = ['l', 'a', 'v', 'l,a', 'l,v', 'a,v', 'l,a,v'] as const;
export type InterCondition = (typeof INTER_CONDITIONS)[number];
/** "Avg." in the paper: the mean over the six conditions with something missing. */
export const MISSING_CONDITIONS: readonly InterCondition[] = INTER_CONDITIONS.filter((c) => c !== 'l,a,v');

/** Intra-modality frame-drop ratios of spec §5. */
export const INTRA_RATIOS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

export function taskOf(kind: DatasetKind): Task {
  return kind === 'iemocap' ? 'classification' : 'regression';
}

export function conditionModalities(condition: InterCondition): Modality[] {
  return condition.split(',') as Modality[];
}
