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

/**
 * Registers before/after hooks that start browser mode and Chromium once per test file; the
 * returned object's `server` and `browser` are set once `before` has run.
 */
export function useBrowserMode(hooks) {
  const session = { server: null, browser: null };
  hooks.before(async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    session.server = await startBrowserMode();
    const { chromium } = await import('playwright-core');
    session.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  hooks.after(async () => {
    await session.browser?.close();
    session.server?.stop();
  });
  return session;
}

/**
 * A page (of a browser or a browser context) whose console errors and uncaught errors are collected
 * in `problems`; tests assert it stays empty.
 */
export async function watchedPage(owner, pageOptions = {}) {
  const page = await owner.newPage(pageOptions);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}
