import type { DatasetDetail } from '../../src-shared/models';
import { openWorkbench, UsageError } from './context';
import { renderDataset } from './dataset-report';
import { table } from './format';

export function datasetsCommand(global: { home?: string }, opts: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const list = wb.catalog.list();
    if (opts.json) {
      process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      return;
    }
    process.stdout.write(
      table(
        ['id', 'kind', 'T', 'dims l/a/v', 'train/valid/test', 'ready', 'description'],
        list.map((d) => [d.id, d.kind, d.T, d.dims.join('/'), `${d.splits.train}/${d.splits.valid}/${d.splits.test}`, d.ready ? 'yes' : 'on first use', d.description]),
      ) + '\n',
    );
  } finally {
    wb.close();
  }
}

/** `hrlf datasets show ID`: the dataset's details and validation report. */
export async function datasetShowCommand(global: { home?: string }, id: string, opts: { json?: boolean }): Promise<void> {
  const wb = openWorkbench(global.home);
  try {
    const res = await wb.call('datasets.get', { id });
    if (!res.ok) throw new UsageError(res.error.message);
    const detail = res.output as DatasetDetail;
    process.stdout.write(opts.json ? JSON.stringify(detail, null, 2) + '\n' : renderDataset(detail));
  } finally {
    wb.close();
  }
}
