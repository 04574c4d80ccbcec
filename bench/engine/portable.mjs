#!/usr/bin/env node
/**
 * Packs the tfjs side of the engine benchmark into one folder that runs with a bare `node` (no
 * npm install, no Vite): for GPU servers that cannot reach the npm registry. The folder holds
 * `tfjs-step.mjs` bundled with the harness, the engine and tfjs (esbuild, from Vite's
 * dependencies), the wasm backend's .wasm files, and the `webgpu` package with Dawn's native
 * module for this platform only. Copy it beside the repository's bench/engine/torch/ scripts and run
 *
 *   node DIR/tfjs-step.mjs --backends webgpu --batch 128     (same flags as bench/engine/tfjs-step.mjs)
 *
 *   node bench/engine/portable.mjs [--out bench/results/portable] [--platform linux-x64]
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/results/portable' },
    platform: { type: 'string', default: `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}` },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = path.resolve(values.out);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The harness modules tfjs-step.mjs loads through Vite, imported statically instead.
const HARNESSES = { 'step-harness.ts': path.join(here, 'step-harness.ts'), 'webgpu.ts': path.join(here, '../../src-main/engine/webgpu.ts') };
const staticLoader = {
  name: 'static-harness-loader',
  setup(b) {
    b.onResolve({ filter: /^\.\/load-ts\.mjs$/ }, () => ({ path: 'load-ts', namespace: 'portable' }));
    b.onLoad({ filter: /.*/, namespace: 'portable' }, () => ({
      resolveDir: here,
      loader: 'js',
      contents: [
        ...Object.entries(HARNESSES).map(([, file], i) => `import * as h${i} from ${JSON.stringify(file)};`),
        `const modules = { ${Object.keys(HARNESSES).map((name, i) => `${JSON.stringify(name)}: h${i}`).join(', ')} };`,
        'export async function loadHarness(file) {',
        "  const module = modules[file.split(/[\\\\/]/).pop()];",
        "  if (!module) throw new Error(`portable bundle: no harness ${file}`);",
        '  return { module, close: async () => {} };',
        '}',
      ].join('\n'),
    }));
  },
};

await build({
  entryPoints: [path.join(here, 'tfjs-step.mjs')],
  outfile: path.join(out, 'tfjs-step.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dawn is a native module: the folder carries the package itself.
  external: ['webgpu'],
  plugins: [staticLoader],
  // Bundled CommonJS (tfjs's dependencies, the wasm backend's Emscripten loader) uses require() and
  // __dirname: give the ES module both.
  banner: {
    js: [
      "import { createRequire as __portableRequire } from 'node:module';",
      "import { dirname as __portableDirname } from 'node:path';",
      "import { fileURLToPath as __portableFileUrl } from 'node:url';",
      'const require = __portableRequire(import.meta.url);',
      'const __filename = __portableFileUrl(import.meta.url);',
      'const __dirname = __portableDirname(__filename);',
    ].join(' '),
  },
  // tfjs-backend-cpu registers itself on import, which its package.json's sideEffects list misses.
  ignoreAnnotations: true,
  logLevel: 'warning',
});

// tfjs-step.mjs finds the .wasm files through the package's path: give it that path.
const wasmDist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const wasmOut = path.join(out, 'node_modules/@tensorflow/tfjs-backend-wasm');
mkdirSync(path.join(wasmOut, 'dist'), { recursive: true });
cpSync(path.join(wasmDist, '..', 'package.json'), path.join(wasmOut, 'package.json'));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) cpSync(path.join(wasmDist, f), path.join(wasmOut, 'dist', f));

const webgpu = path.dirname(require.resolve('webgpu/package.json'));
const webgpuOut = path.join(out, 'node_modules/webgpu');
mkdirSync(path.join(webgpuOut, 'dist'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) cpSync(path.join(webgpu, f), path.join(webgpuOut, f));
cpSync(path.join(webgpu, 'dist', values.platform), path.join(webgpuOut, 'dist', values.platform), { recursive: true });
console.log(`portable benchmark in ${path.relative(process.cwd(), out)} (Dawn for ${values.platform}); run: node ${path.relative(process.cwd(), out)}/tfjs-step.mjs --backends webgpu`);
