import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../engine/paths';

let cachedVersion: string | null = null;

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The git commit (with "+dirty" for uncommitted changes) or, outside a checkout, the package version. */
export function codeVersion(): string {
  if (cachedVersion) return cachedVersion;
  const root = packageRoot();
  let version = `v${packageVersion()}`;
  if (existsSync(join(root, '.git'))) {
    try {
      const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      version = `${commit}${dirty ? '+dirty' : ''}`;
    } catch {
      // no git binary or no commit yet: the package version identifies the code
    }
  }
  cachedVersion = version;
  return version;
}

export function hostName(): string {
  return hostname();
}

/** JSON with sorted keys, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(method: string, config: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ method, config })).digest('hex').slice(0, 16);
}
