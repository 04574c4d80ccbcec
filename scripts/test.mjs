// `npm test`: every stage runs and reports, whatever an earlier one did, so one failing vitest
// file does not hide the end-to-end results. Only the end-to-end tests depend on another stage:
// they drive the built app, so they are skipped (and say so) when the build fails.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const stages = [
  { name: 'lint', cmd: npm, args: ['run', 'lint'] },
  { name: 'build', cmd: npm, args: ['run', 'build'] },
  { name: 'unit and integration (vitest)', cmd: npx, args: ['vitest', 'run'] },
  { name: 'end-to-end', cmd: process.execPath, args: ['scripts/e2e.mjs'], needs: 'build' },
];

const outcome = new Map();
for (const s of stages) {
  if (s.needs && outcome.get(s.needs) !== 'passed') {
    outcome.set(s.name, `skipped: needs a successful ${s.needs}`);
    continue;
  }
  process.stdout.write(`\n=== ${s.name} ===\n`);
  const started = Date.now();
  const r = spawnSync(s.cmd, s.args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  outcome.set(s.name, r.status === 0 ? 'passed' : `FAILED (exit ${r.status ?? r.signal}) after ${seconds} s`);
}

process.stdout.write('\n=== summary ===\n');
for (const [name, result] of outcome) process.stdout.write(`${name.padEnd(32)} ${result}\n`);
process.exit([...outcome.values()].every((v) => v === 'passed') ? 0 : 1);
