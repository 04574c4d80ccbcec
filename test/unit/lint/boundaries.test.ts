import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries of architecture.md', () => {
  it.each([
    ['src-renderer/components/X.ts', "import { readFileSync } from 'node:fs';"],
    ['src-renderer/components/X.ts', "import { Store } from '../../src-main/store/store';"],
    ['src-renderer/components/X.ts', "import { ipcRenderer } from 'electron';"],
    ['src-shared/x.ts', "import { join } from 'node:path';"],
    ['src-shared/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
    ['src-main/engine/x.ts', "import { Store } from '../store/store';"],
    ['src-main/engine/x.ts', "import { RunService } from '../services/runs';"],
    ['src-main/engine/x.ts', "import Database from 'better-sqlite3';"],
    ['src-main/services/x.ts', "import { app } from 'electron';"],
    ['src-main/cli/x.ts', "import { app } from 'electron';"],
    ['src-main/engine/methods/x/card.ts', "import * as tf from '@tensorflow/tfjs-core';"],
    ['src-main/engine/methods/x/card.ts', "import { Adam } from '../../nn';"],
    ['src-main/engine/methods/x/config.ts', "import { corrupt } from '../../data/msm-batch';"],
    ['src-main/engine/methods/registry.ts', "import { trainMethod } from '../train/trainer';"],
  ])('%s may not %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['src-main/electron/x.ts', "import { app } from 'electron';"],
    ['src-main/services/x.ts', "import { Store } from '../store/store';"],
    ['src-renderer/components/X.ts', "import { contract } from '../../src-shared/contract';"],
    ['src-main/engine/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
    ['src-main/engine/methods/x/card.ts', "import type { Inputs } from '../method';"],
    ['src-main/engine/methods/x/card.ts', "import type * as tf from '@tensorflow/tfjs-core';"],
    ['src-main/engine/methods/x/model.ts', "import * as tf from '@tensorflow/tfjs-core';"],
  ])('%s may %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
