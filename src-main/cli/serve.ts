import { startServer } from '../server/server';
import { z } from 'zod';
import { openWorkbench } from './context';
import { integerFlag } from './results-text';

export async function serveCommand(global: { home?: string }, opts: { port?: string }): Promise<void> {
  const port = integerFlag('--port', opts.port, z.number().int().min(0).max(65535)) ?? 0;
  const wb = openWorkbench(global.home, true);
  wb.options.mode = 'browser';
  const server = await startServer(wb, { port });
  process.stdout.write(`HRLF Workbench (browser mode) on ${server.url}\nData home: ${wb.options.home}\nPress Ctrl+C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void server.close().then(() => {
        wb.close();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
