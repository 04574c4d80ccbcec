/** Experiments' results: aggregation over seeds, significance, the paper's layout, curves, CSV rows and LaTeX. */
export * from './types';
export * from './scenario';
export * from './metrics';
export * from './names';
export * from './intervals';
export * from './aggregate';
export * from './paper';
export * from './layout';
export * from './curves';
export * from './latex';
export * from './tabular';
export * from './results';
