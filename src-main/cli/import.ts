/** `hrlf import FILE`: a dataset file becomes a stored dataset (parsed in an engine process). */
import { SingleBar, Presets } from 'cli-progress';
import { resolve } from 'node:path';
import { ContractFailure, parseInput, type DatasetImportEvent } from '../../src-shared/contract';
import type { DatasetImportResult } from '../../src-shared/models';
import { ImportCancelled } from '../services/dataset-import';
import { openWorkbench, UsageError } from './context';
import { bytes } from './dataset-report';

interface ImportFlags {
  name?: string;
  format?: string;
  kind?: string;
  json?: boolean;
}

/** A byte-count bar while the pickle is read; only on a terminal, so pipes and logs stay clean. */
function progressBar(enabled: boolean): { update: (e: DatasetImportEvent) => void; stop: () => void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: '{phase} [{bar}] {percentage}% | {size}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (e) => {
      const payload = { phase: e.phase.padEnd(5), size: e.phase === 'read' ? `${bytes(e.done)} / ${bytes(e.total)}` : '' };
      if (!started) {
        bar.start(e.total, e.done, payload);
        started = true;
      }
      bar.setTotal(e.total);
      bar.update(e.done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function summaryLines(file: string, r: DatasetImportResult): string {
  if (r.alreadyImported) {
    return `${file} is already imported as ${r.id} (a dataset with the same SHA-256 exists); nothing was imported again\n`;
  }
  const lines = [
    `imported ${file} as ${r.id} in ${r.seconds.toFixed(2)} s: ${r.kind} (${r.task}), T ${r.T}, dims l/a/v ${r.dims.join('/')} (paper: 300/74/35), train/valid/test ${r.splits.train}/${r.splits.valid}/${r.splits.test}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
    `details: hrlf datasets show ${r.id}`,
  ];
  return lines.join('\n') + '\n';
}

export async function importCommand(global: { home?: string }, file: string, flags: ImportFlags): Promise<void> {
  let input;
  try {
    input = parseInput('datasets.import', {
      path: resolve(file),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.format !== undefined ? { format: flags.format } : {}),
      ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
    });
  } catch (err) {
    if (err instanceof ContractFailure) throw new UsageError(err.message);
    throw err;
  }
  const wb = openWorkbench(global.home);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  const bar = progressBar(!flags.json && Boolean(process.stderr.isTTY));
  try {
    const result = await wb.catalog.importFile(input, { signal: abort.signal, onProgress: bar.update });
    bar.stop();
    if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stderr.write(summaryLines(input.path, result));
      process.stdout.write(`${result.id}\n`);
    }
  } catch (err) {
    bar.stop();
    if (err instanceof ContractFailure && err.error.code === 'invalid_input') throw new UsageError(`import failed: ${err.message}`);
    if (err instanceof ImportCancelled) {
      process.stderr.write(`hrlf: ${err.message}; nothing was stored\n`);
      process.exitCode = 130;
      return;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    wb.close();
  }
}
