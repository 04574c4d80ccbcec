#!/usr/bin/env node
// The `hrlf` command: a thin launcher for the bundled CLI in out/main (built by `npm install`/`npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`hrlf: ${cli} is missing; run 'npm run build' in the workbench folder first\n`);
  process.exit(2);
}
const { main } = await import(cli);
const code = await main(process.argv.slice(2));
// Exit only once piped output is flushed: a large CSV on stdout must arrive whole.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
