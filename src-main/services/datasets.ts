/**
 * The dataset catalog: built-in synthetic datasets (generated on first use in an engine process,
 * cached in the data home) and imported ones, as the store records them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { taskOf, type Split } from '../../src-shared/domain';
import type { DatasetDetail, DatasetImportResult, DatasetSample, DatasetSummary } from '../../src-shared/models';
import { SYNTHETIC_SPECS, findSyntheticSpec } from '../engine/data/synthetic';
import type { DataShape } from '../engine/types';
import type { DatasetRow } from '../store/datasets-repo';
import type { Store } from '../store/store';
import { detailOf } from './dataset-detail';
import { labelSummary } from './dataset-labels';
import { sweepDatasetFolder } from './dataset-files';
import { DatasetImporter, type ImportHooks, type ImportInput } from './dataset-import';
import { readSample } from './dataset-sample';
import type { HomeLayout } from './home';
import { engineJob } from './engine-job';
import type { Launcher } from './launcher';

export class DatasetNotFound extends Error {}
/** The dataset exists but has no file yet (a built-in generated on first use). */
export class DatasetNotReady extends Error {}

function summaryOfRow(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    task: row.task,
    builtin: row.builtin,
    T: row.T,
    dims: row.dims,
    splits: row.splitSizes,
    sha256: row.sha256,
    ready: existsSync(row.path),
    description: row.builtin ? (findSyntheticSpec(row.id)?.description ?? '') : `imported from ${row.sourcePath ?? 'a file'} (${row.format})`,
  };
}

export class DatasetCatalog {
  private readonly pending = new Map<string, Promise<DatasetRow>>();
  private readonly importer: DatasetImporter;

  constructor(
    private readonly store: Store,
    private readonly layout: HomeLayout,
    private readonly launch: Launcher,
    importConcurrency?: number,
  ) {
    this.importer = new DatasetImporter(store, layout, launch, importConcurrency);
    // What a killed import or generation left behind goes before anyone lists the folder.
    sweepDatasetFolder(layout.root, store.datasets);
  }

  list(): DatasetSummary[] {
    const rows = new Map(this.store.datasets.list().map((r) => [r.id, r]));
    const builtins = SYNTHETIC_SPECS.map((spec): DatasetSummary => {
      const row = rows.get(spec.id);
      if (row) return summaryOfRow(row);
      return {
        id: spec.id,
        name: spec.id,
        kind: spec.kind,
        task: taskOf(spec.kind),
        builtin: true,
        T: spec.T,
        dims: spec.dims,
        splits: spec.sizes,
        sha256: null,
        ready: false,
        description: spec.description,
      };
    });
    const imported = [...rows.values()].filter((r) => !r.builtin).map(summaryOfRow);
    return [...builtins, ...imported];
  }

  summary(id: string): DatasetSummary {
    const found = this.list().find((d) => d.id === id);
    if (!found) throw new DatasetNotFound(`unknown dataset '${id}'; available: ${this.list().map((d) => d.id).join(', ')}`);
    return found;
  }

  detail(id: string): DatasetDetail {
    const summary = this.summary(id);
    const row = this.store.datasets.get(id);
    return detailOf(summary, row, row && existsSync(row.path) ? labelSummary(row.path, summary.kind) : null);
  }

  /**
   * A built-in dataset is generated the first time anyone looks at it (its page, a sample, a
   * scenario preview), not only at its first run: the page shows its samples and labels at once.
   */
  async prepareForView(id: string): Promise<void> {
    const summary = this.summary(id);
    if (summary.builtin && !summary.ready) await this.ensureReady(id);
  }

  /** One sample's three modalities, read from the stored file without loading the dataset. */
  sample(id: string, split: Split, index: number): DatasetSample {
    return { id, split, index, ...readSample(this.samplePath(id), split, index) };
  }

  /** The stored file of a dataset whose samples can be read now (a built-in once generated: prepareForView). */
  samplePath(id: string): string {
    const summary = this.summary(id);
    const row = this.store.datasets.get(id);
    if (!row || !existsSync(row.path)) {
      throw new DatasetNotReady(
        summary.builtin ? `${id} is not generated yet (it is generated on first view or first run)` : `the file of ${id} (${row?.path ?? '?'}) is missing; import it again`,
      );
    }
    return row.path;
  }

  /** Imports a dataset file (parsing in an engine process); an earlier import of the same bytes is reused. */
  async importFile(input: ImportInput, hooks: ImportHooks = {}): Promise<DatasetImportResult> {
    const outcome = await this.importer.run(input, hooks);
    return { ...summaryOfRow(outcome.row), alreadyImported: outcome.alreadyImported, seconds: outcome.seconds, warnings: outcome.warnings };
  }

  shape(id: string): DataShape {
    const s = this.summary(id);
    return { kind: s.kind, task: s.task, T: s.T, dims: s.dims, labelDim: s.kind === 'iemocap' ? 4 : 1 };
  }

  /** The stored dataset with its file on disk, generating a built-in one if needed. */
  async ensureReady(id: string): Promise<DatasetRow> {
    const row = this.store.datasets.get(id);
    if (row && existsSync(row.path)) return row;
    const spec = findSyntheticSpec(id);
    if (!spec) {
      if (row) throw new DatasetNotFound(`dataset '${id}' is registered but its file ${row.path} is missing; import it again`);
      throw new DatasetNotFound(`unknown dataset '${id}'`);
    }
    let job = this.pending.get(id);
    if (!job) {
      job = this.generate(id).finally(() => this.pending.delete(id));
      this.pending.set(id, job);
    }
    return job;
  }

  private async generate(id: string): Promise<DatasetRow> {
    const spec = findSyntheticSpec(id)!;
    mkdirSync(this.layout.datasets, { recursive: true });
    const path = join(this.layout.datasets, `${id}.hrlfds`);
    const sha256 = await engineJob(this.launch, { type: 'generate', datasetId: id, path }, `generating ${id}`, (msg) =>
      msg.type === 'generated' ? msg.sha256 : undefined,
    );
    return this.store.datasets.upsert({
      id,
      name: id,
      kind: spec.kind,
      task: taskOf(spec.kind),
      builtin: true,
      format: 'synthetic',
      sourcePath: null,
      sourceSize: null,
      sourceSha256: null,
      path,
      sha256,
      T: spec.T,
      dims: spec.dims,
      splitSizes: spec.sizes,
      report: null,
    });
  }
}
