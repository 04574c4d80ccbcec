import { startServer } from '../server/server';
import { z } from 'zod';
import { coordinatorWorkbench, type Global } from './context';
import { integerFlag } from './results-text';

export async function serveCommand(global: Global, opts: { port?: string }): Promise<void> {
  const port = integerFlag('--port', opts.port, z.number().int().min(0).max(65535)) ?? 0;
  const wb = coordinatorWorkbench(global, true);
  try {
    await wb.startQueue();
  } catch (err) {
    // A queue given now must work; one saved from the UI that cannot be reached is shown there, and
    // nothing runs until it is reachable again or the queue is set back to this machine.
    if (global.queue || process.env.HRLF_QUEUE) {
      wb.close();
      throw err;
    }
    process.stderr.write(`hrlf: ${(err as Error).message}\n`);
  }
  wb.options.mode = 'browser';
  const server = await startServer(wb, { port });
  process.stdout.write(`HRLF Workbench (browser mode) on ${server.url}\nData home: ${wb.options.home}\n`);
  const cluster = wb.cluster?.state();
  if (cluster) process.stdout.write(`Queue: ${cluster.url}; datasets for workers at ${cluster.datasetsUrl}\n`);
  process.stdout.write('Press Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void server.close().then(async () => {
        await wb.shutdown();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
