/**
 * The importer for bench/import/hostile.mjs. h5wasm is loaded here, while Vite's module runner is
 * open: the runner closes after the import, and the importer's own lazy import would then fail.
 */
import { loadH5 } from '../../src-main/engine/data/import/csd-h5';

await loadH5();

export { importDatasetFile } from '../../src-main/engine/data/import';
