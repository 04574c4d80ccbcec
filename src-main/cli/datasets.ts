import { openWorkbench } from './context';
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
