/**
 * The repository stands alone: no tracked file may reach outside it into the team's project
 * folder. Everything the code, tests and docs need is inside (resources/docs, resources/datasets,
 * test/fixtures/real, each with its provenance).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Spelled in two parts so this file does not match itself. */
const OUTSIDE = ['..', 'shared'].join('/');
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist', '.git', 'test-results']);

/** Tracked files (git ls-files); a source tree without git is walked instead. */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(path.join(ROOT, dir))) {
        const rel = path.join(dir, name);
        if (statSync(path.join(ROOT, rel)).isDirectory()) {
          if (!SKIP_DIRS.has(name)) walk(rel);
        } else files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

describe('the repository stands alone', () => {
  it(`no tracked file mentions ${OUTSIDE}`, () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.filter((f) => readFileSync(path.join(ROOT, f)).includes(OUTSIDE));
    expect(offenders).toEqual([]);
  });

  it('the files the importer tests and the docs name are in the repository', () => {
    for (const f of [
      'test/fixtures/real/cmu-mosi-labels/CMU_MOSI_Opinion_Labels.csd',
      'test/fixtures/real/PROVENANCE.md',
      'resources/docs/hrlf-spec.md',
      'resources/docs/baselines.md',
      'resources/docs/datasets.md',
      'resources/docs/PROVENANCE.md',
    ]) {
      expect(existsSync(path.join(ROOT, f)), f).toBe(true);
    }
  });

  it("the README's relative links resolve inside the repository", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      const target = path.resolve(ROOT, l);
      expect(target.startsWith(ROOT), l).toBe(true);
      expect(existsSync(target), l).toBe(true);
    }
  });
});
