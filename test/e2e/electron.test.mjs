// The Electron window, where an Electron binary is installed; skipped (with the reason) where not,
// e.g. on machines installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { artifactPath, ROOT } from './support.mjs';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron');
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test(
  'opens the workbench window with the built-in datasets',
  { skip: binary ? false : 'no Electron binary installed here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run on a machine with Electron', timeout: 120_000 },
  async () => {
    const app = await electron.launch({ executablePath: binary, args: [ROOT], env: { ...process.env, HRLF_HOME: mkdtempSync(join(tmpdir(), 'hrlf-electron-')) } });
    const page = await app.firstWindow();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.getByTestId('datasets').getByText('synth-mosi').waitFor();
    const hasNode = await page.evaluate(() => typeof globalThis.require !== 'undefined' || typeof globalThis.process !== 'undefined');
    assert.equal(hasNode, false, 'the renderer must not see Node');
    await page.screenshot({ path: artifactPath('electron-window.png') });
    await app.close();
    assert.deepEqual(errors, []);
  },
);
