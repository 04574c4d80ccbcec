import { startServer } from '../server/server';
import { openWorkbench, UsageError } from './context';

export async function serveCommand(global: { home?: string }, opts: { port?: string }): Promise<void> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected an integer in 0..65535, got '${opts.port}'`);
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
