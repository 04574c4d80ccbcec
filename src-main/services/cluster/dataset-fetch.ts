/**
 * A worker's datasets: a job names its dataset by SHA-256. The worker uses its own copy with that
 * hash; generates a built-in synthetic dataset and checks its hash; or fetches the file from the
 * coordinator's endpoint with the dataset token, streaming it to a temp file while hashing, and
 * keeps it only when the hash matches (moved into place atomically, then registered). Otherwise the
 * job is refused with the reason.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { findSyntheticSpec } from '../../engine/data/synthetic';
import { readDatasetHeader } from '../../engine/data/dataset-file';
import type { DatasetRow } from '../../store/datasets-repo';
import type { Store } from '../../store/store';
import type { DatasetCatalog } from '../datasets';
import { DATASET_EXT, tempPathFor } from '../dataset-files';
import type { HomeLayout } from '../home';
import { JobRefused, type JobDataset } from './job';

export class WorkerDatasets {
  private readonly fetching = new Map<string, Promise<DatasetRow>>();

  constructor(
    private readonly store: Store,
    private readonly catalog: DatasetCatalog,
    private readonly layout: HomeLayout,
    private readonly token: string | undefined,
  ) {}

  /** This machine's file of the dataset with the job's hash, fetched if needed; JobRefused otherwise. */
  async obtain(d: JobDataset, datasetsUrl: string | null): Promise<DatasetRow> {
    const own = this.own(d.sha256);
    if (own) return own;
    let mismatch = '';
    if (d.builtin && findSyntheticSpec(d.id)) {
      const row = await this.catalog.ensureReady(d.id);
      if (row.sha256 === d.sha256) return row;
      mismatch = `built-in ${d.id} generated here has SHA-256 ${row.sha256.slice(0, 12)}…, the job needs ${d.sha256.slice(0, 12)}… (another code version?); `;
    }
    if (!datasetsUrl) throw new JobRefused(`${mismatch}dataset ${d.name} (SHA-256 ${d.sha256.slice(0, 12)}…) is not on this worker and the coordinator offers no dataset endpoint`);
    if (!this.token) throw new JobRefused(`${mismatch}dataset ${d.name} (SHA-256 ${d.sha256.slice(0, 12)}…) is not on this worker and the worker has no dataset token to fetch it (--datasets-token or HRLF_DATASETS_TOKEN)`);
    let job = this.fetching.get(d.sha256);
    if (!job) {
      job = this.fetch(d, datasetsUrl, this.token).finally(() => this.fetching.delete(d.sha256));
      this.fetching.set(d.sha256, job);
    }
    return job;
  }

  private own(sha256: string): DatasetRow | undefined {
    return this.store.datasets.list().find((r) => r.sha256 === sha256 && existsSync(r.path));
  }

  private async fetch(d: JobDataset, base: string, token: string): Promise<DatasetRow> {
    const url = `${base.replace(/\/$/, '')}/datasets/${d.sha256}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    } catch (err) {
      throw new JobRefused(`cannot fetch dataset ${d.name} from ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
    if (res.status === 401) throw new JobRefused(`the dataset endpoint ${base} refused this worker's dataset token (HTTP 401)`);
    if (!res.ok || !res.body) throw new JobRefused(`cannot fetch dataset ${d.name} from ${url}: HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`);
    mkdirSync(this.layout.datasets, { recursive: true });
    const id = `cluster-${d.sha256.slice(0, 12)}`;
    const tmp = tempPathFor(this.layout.datasets, id);
    const hash = createHash('sha256');
    let bytes = 0;
    const fd = openSync(tmp, 'w');
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        bytes += chunk.length;
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      }
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw new JobRefused(`fetching dataset ${d.name} from ${url} broke off after ${bytes} bytes: ${(err as Error).message}`);
    }
    closeSync(fd);
    const got = hash.digest('hex');
    if (got !== d.sha256) {
      rmSync(tmp, { force: true });
      throw new JobRefused(`dataset fetched from ${url} has SHA-256 ${got.slice(0, 12)}…, the job needs ${d.sha256.slice(0, 12)}…; discarded`);
    }
    const header = readDatasetHeader(tmp);
    const path = join(this.layout.datasets, `${id}${DATASET_EXT}`);
    renameSync(tmp, path);
    return this.store.datasets.upsert({
      id,
      name: d.name,
      kind: header.kind,
      task: header.task,
      builtin: false,
      format: 'cluster',
      sourcePath: url,
      sourceSize: bytes,
      sourceSha256: d.sha256,
      path,
      sha256: d.sha256,
      T: header.T,
      dims: header.dims,
      splitSizes: { train: header.splits.train.n, valid: header.splits.valid.n, test: header.splits.test.n },
      report: null,
    });
  }
}
