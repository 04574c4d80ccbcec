// Shared pieces of the end-to-end tests: a browser-mode server on a temp home, and Debian's Chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const ARTIFACTS = join(ROOT, 'test-results');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function artifactPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Starts `hrlf serve` on a free port; resolves with its URL (token included) and a stop function. */
export function startBrowserMode() {
  const home = mkdtempSync(join(tmpdir(), 'hrlf-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'hrlf.mjs'), '--home', home, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], home, stop: () => child.kill('SIGTERM'), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

export function chromiumAvailable() {
  return existsSync(CHROMIUM);
}
