import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this module: the same code runs from src-main (tests)
 * and from the bundle in out/main (app and CLI), at different depths.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the workbench package root (package.json beside resources/)');
    dir = parent;
  }
}

export function resourcePath(...parts: string[]): string {
  return join(packageRoot(), 'resources', ...parts);
}
