// Builds better-sqlite3 for Electron's ABI into node_modules/.electron-native, leaving the Node
// build (used by the CLI and the tests) untouched. Prebuilt binaries first, compilation second.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function ensureElectronSqlite(root) {
  const outDir = join(root, 'node_modules', '.electron-native');
  const target = join(outDir, 'better_sqlite3.node');
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const stamp = join(outDir, `electron-${electronVersion}`);
  if (existsSync(target) && existsSync(stamp)) return target;
  const src = dirname(require.resolve('better-sqlite3/package.json'));
  const work = join(outDir, 'better-sqlite3');
  mkdirSync(outDir, { recursive: true });
  cpSync(src, work, { recursive: true });
  const opts = { cwd: work, stdio: 'inherit' };
  try {
    execFileSync(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronVersion], opts);
  } catch {
    const gyp = join(dirname(process.env.npm_execpath ?? ''), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    execFileSync(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], opts);
  }
  cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  cpSync(target, stamp);
  return target;
}
