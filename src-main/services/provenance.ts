import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../src-shared/canonical-json';
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

export function configHash(method: string, config: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ method, config })).digest('hex').slice(0, 16);
}
