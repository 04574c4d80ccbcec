/**
 * Importing a dataset file: parsing and conversion run in an engine process (never on the UI
 * thread); this side checks for an earlier import of the same bytes, then moves the converted file
 * into place and records its row in one transaction. Whatever fails, no row and no file remain.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ContractFailure, type DatasetImportEvent, type ParsedInput } from '../../src-shared/contract';
import type { DatasetReport } from '../../src-shared/models';
import type { ImportErrorCode, ImportReport } from '../engine/data/import';
import { sha256File } from '../engine/data/import/hash';
import type { ImportedDataset, ImportReply } from '../engine/protocol';
import type { DatasetRow } from '../store/datasets-repo';
import type { Store } from '../store/store';
import { allocateId, DATASET_EXT, removeTemp, tempPathFor } from './dataset-files';
import type { HomeLayout } from './home';
import type { EngineProcess, Launcher } from './launcher';
import { Limiter } from './limiter';

/** The report crosses the contract as DatasetReport: this fails to compile if the two drift apart. */
const asDatasetReport = (r: ImportReport): DatasetReport => r;

export type ImportInput = ParsedInput<'datasets.import'>;

export interface ImportHooks {
  onProgress?: (event: DatasetImportEvent) => void;
  /** Aborting kills the engine process and removes its temp files. */
  signal?: AbortSignal;
}

export interface ImportOutcome {
  row: DatasetRow;
  alreadyImported: boolean;
  seconds: number;
  warnings: string[];
}

export class ImportCancelled extends Error {
  constructor(file: string) {
    super(`import of ${file} cancelled`);
    this.name = 'ImportCancelled';
  }
}

const REPLY_TYPES = new Set<string>(['import-progress', 'imported', 'import-failed']);
function isImportReply(msg: unknown): msg is ImportReply {
  return typeof msg === 'object' && msg !== null && REPLY_TYPES.has(String((msg as { type?: unknown }).type));
}

/** Which form field an importer failure belongs to: the one whose value forced what failed. */
function fieldOf(code: ImportErrorCode | 'internal', input: ImportInput): string {
  if (input.format && (code === 'layout' || code === 'unsupported-format')) return 'format';
  if (input.kind && (code === 'labels' || code === 'label-shape')) return 'kind';
  return 'path';
}

/** Bytes of the .csd files directly in a folder: the progress total of a .csd folder import. */
function csdFolderBytes(folder: string): number {
  let total = 0;
  for (const name of readdirSync(folder)) {
    if (!/\.csd$/i.test(name)) continue;
    try {
      total += statSync(join(folder, name)).size;
    } catch {
      // unreadable entries are reported by the importer
    }
  }
  return total;
}

function invalid(message: string, field = 'path'): ContractFailure {
  return new ContractFailure({ code: 'invalid_input', message, field });
}

/** How long an engine may take to exit after its last reply before it is killed. */
const ENGINE_EXIT_GRACE_MS = 10_000;

/** Imports converting at once (each an engine process holding a whole dataset); the rest queue. */
export const DEFAULT_IMPORT_CONCURRENCY = 2;

export class DatasetImporter {
  private readonly engines: Limiter;

  constructor(
    private readonly store: Store,
    private readonly layout: HomeLayout,
    private readonly launch: Launcher,
    concurrency = DEFAULT_IMPORT_CONCURRENCY,
  ) {
    this.engines = new Limiter(concurrency);
  }

  async run(input: ImportInput, hooks: ImportHooks = {}): Promise<ImportOutcome> {
    const t0 = performance.now();
    const file = input.path;
    const { size, folder } = this.sourceSize(file);
    // A folder of .csd files is fingerprinted by the engine from the sequences it uses; a re-import
    // of the same bytes is then recognised at commit.
    const earlier = folder ? null : await this.findEarlierImport(file, size);
    if (earlier) return { row: earlier, alreadyImported: true, seconds: 0, warnings: [] };

    mkdirSync(this.layout.datasets, { recursive: true });
    const temp = tempPathFor(this.layout.datasets, input.name ?? basename(file).replace(/\.(pkl|pickle)$/i, ''));
    // The reader reports every few MiB; a small file would otherwise show no reading at all.
    hooks.onProgress?.({ path: file, phase: 'read', done: 0, total: size });
    try {
      const result = await this.engines.run(() => this.convert(input, temp, hooks));
      const committed = this.commit(file, temp, result);
      const seconds = (performance.now() - t0) / 1000;
      return { ...committed, seconds: committed.alreadyImported ? 0 : seconds, warnings: result.report.warnings };
    } finally {
      // After a commit the temp name no longer exists; after anything else it must go.
      removeTemp(temp);
    }
  }

  private sourceSize(file: string): { size: number; folder: boolean } {
    let st;
    try {
      st = statSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw invalid(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${(err as Error).message})`);
    }
    if (st.isDirectory()) return { size: csdFolderBytes(file), folder: true };
    if (!st.isFile()) throw invalid(`${file}: is a special file; expected a dataset file such as mosi_data.pkl, or a folder of .csd files`);
    return { size: st.size, folder: false };
  }

  /**
   * Same path and size as a recorded import: hash the file (streaming, cheaper than parsing it) and
   * reuse the dataset when the bytes are the same. Copies under another path are caught at commit.
   */
  private async findEarlierImport(file: string, size: number): Promise<DatasetRow | null> {
    const candidates = this.store.datasets.list().filter((r) => r.sourcePath === file && r.sourceSize === size);
    if (candidates.length === 0) return null;
    const sha = await sha256File(file);
    const row = this.store.datasets.findBySourceSha(sha);
    return row && existsSync(row.path) ? row : null;
  }

  /**
   * Runs one import in an engine process. It settles when the process has ended, with what it
   * last reported: the import holds its place among the concurrent imports until its engine is
   * gone, and a reply is never mistaken for a crash or the other way round.
   */
  private convert(input: ImportInput, temp: string, hooks: ImportHooks): Promise<ImportedDataset> {
    const file = input.path;
    return new Promise<ImportedDataset>((resolve, reject) => {
      if (hooks.signal?.aborted) return reject(new ImportCancelled(file));
      let child: EngineProcess;
      try {
        child = this.launch();
      } catch (err) {
        return reject(err as Error);
      }
      let outcome: { ok: true; result: ImportedDataset } | { ok: false; error: Error } | null = null;
      let settled = false;
      const settle = (o: NonNullable<typeof outcome>): void => {
        if (settled) return;
        settled = true;
        hooks.signal?.removeEventListener('abort', onAbort);
        if (o.ok) resolve(o.result);
        else reject(o.error);
      };
      const onAbort = (): void => {
        child.kill();
        settle({ ok: false, error: new ImportCancelled(file) });
      };
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      child.onMessage((msg: unknown) => {
        if (!isImportReply(msg) || outcome) return;
        if (msg.type === 'import-progress') {
          hooks.onProgress?.({ path: file, phase: msg.phase, done: msg.done, total: msg.total });
          return;
        }
        outcome =
          msg.type === 'imported'
            ? { ok: true, result: msg.result }
            : { ok: false, error: msg.code === 'internal' ? new Error(`import of ${file} failed: ${msg.error}`) : invalid(msg.error, fieldOf(msg.code, input)) };
        // The engine exits right after its last reply; one that does not is ended.
        setTimeout(() => child.kill(), ENGINE_EXIT_GRACE_MS).unref();
      });
      child.onExit((code, signal) => {
        if (outcome) return settle(outcome);
        // Ctrl+C in a terminal reaches the engine process too, possibly before our own handler runs.
        const cancelled = hooks.signal?.aborted || signal === 'SIGINT';
        settle({
          ok: false,
          error: cancelled ? new ImportCancelled(file) : new Error(`import of ${file}: the engine process exited (code ${code}, signal ${signal}) before finishing`),
        });
      });
      child.send({
        type: 'import',
        request: {
          file,
          path: temp,
          ...(input.format ? { format: input.format } : {}),
          ...(input.kind ? { kind: input.kind } : {}),
          ...(input.name ? { name: input.name } : {}),
        },
      });
    });
  }

  /**
   * One immediate transaction: look for the same source bytes (another path, or a concurrent
   * import), pick the id, insert the row and move the file into place. If the move fails, the row
   * is rolled back; the caller removes the temp file.
   */
  private commit(file: string, temp: string, result: ImportedDataset): { row: DatasetRow; alreadyImported: boolean } {
    const repo = this.store.datasets;
    const report = asDatasetReport(result.report);
    return this.store.db
      .transaction(() => {
        const existing = repo.findBySourceSha(report.sha256);
        if (existing && existsSync(existing.path)) return { row: existing, alreadyImported: true };
        // A row whose file went missing is replaced under the same id, so its runs still name it.
        if (existing) repo.removeImported(existing.id);
        const id = existing?.id ?? allocateId(result.name, repo);
        const path = join(this.layout.datasets, `${id}${DATASET_EXT}`);
        repo.insertImported({
          id,
          name: result.name,
          kind: result.kind,
          task: result.task,
          format: result.format,
          sourcePath: file,
          sourceSize: report.bytes,
          sourceSha256: report.sha256,
          path,
          sha256: result.sha256,
          T: result.T,
          dims: result.dims,
          splitSizes: result.splits,
          report,
        });
        renameSync(temp, path);
        return { row: repo.get(id)!, alreadyImported: false };
      })
      .immediate();
  }
}
