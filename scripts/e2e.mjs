// End-to-end tests with node's test runner (Playwright in Debian's Chromium; Electron where installed).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const files = ['browser.test.mjs', 'datasets.test.mjs', 'study.test.mjs', 'electron.test.mjs'].map((f) => join(root, 'test', 'e2e', f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
