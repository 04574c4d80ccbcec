// `npm start`: the Electron window when an Electron binary is installed, else browser mode
// (the same UI served on 127.0.0.1 with an access token, URL printed).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite } from './electron-native.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

if (!existsSync(join(root, 'out', 'main', 'cli.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  const built = spawnSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // the package throws when its binary was never downloaded
  }
}

function startBrowser() {
  const child = spawn(process.execPath, [join(root, 'bin', 'hrlf.mjs'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

function startElectron(binary) {
  try {
    ensureElectronSqlite(root);
  } catch (err) {
    process.stderr.write(`could not build better-sqlite3 for Electron (${err.message}); starting browser mode instead\n`);
    return startBrowser();
  }
  const child = spawn(binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron = process.env.HRLF_BROWSER === '1' ? null : electronBinary();
if (electron) {
  startElectron(electron);
} else {
  process.stdout.write('No Electron binary installed (e.g. installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1): starting browser mode.\n');
  startBrowser();
}
