import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'hrlf.mjs');

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'out', 'main', 'run-process.js'))) throw new Error("integration tests need the build: run 'npm run build' first");
}

export function tempHome(prefix = 'hrlf-it-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function hrlf(args: string[], home: string, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, '--home', home, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
