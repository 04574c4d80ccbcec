import { execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
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

export function hrlf(args: string[], home: string, timeoutMs = 240_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, '--home', home, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** What a home's store and datasets folder hold: compared before and after an import that must fail. */
export function datasetsSnapshot(home: string): { rows: unknown[]; files: string[] } {
  const dbFile = join(home, 'workbench.sqlite');
  let rows: unknown[] = [];
  if (existsSync(dbFile)) {
    const db = new Database(dbFile, { readonly: true });
    rows = db.prepare('SELECT id, path, sha256, source_sha256 FROM datasets ORDER BY id').all();
    db.close();
  }
  const dir = join(home, 'datasets');
  return { rows, files: existsSync(dir) ? readdirSync(dir).sort() : [] };
}

/** RFC 4180 records (quoted fields, doubled quotes), enough to read the exports back. */
export function csvRecords(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
