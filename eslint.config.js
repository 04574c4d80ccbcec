import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'url', 'worker_threads', 'http', 'net', 'stream'];

/** Import boundaries of architecture.md, one block per layer. */
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'dist/**', 'test-results/**', 'bench/results/**', 'src-main/engine/nn/fused/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['src-shared/**'],
    rules: restrict(
      [...nodeBuiltins, 'electron', '**/src-main/**', '**/src-renderer/**', 'better-sqlite3', 'ws', '@tensorflow/*'],
      'src-shared is pure TypeScript: no Node, Electron, DOM-bound or main/renderer imports.',
    ),
  },
  {
    files: ['src-renderer/**'],
    // The renderer runs in a browser page (Chromium or Electron's sandboxed renderer).
    languageOptions: { globals: globals.browser },
    rules: restrict(
      [...nodeBuiltins, 'electron', '**/src-main/**', 'better-sqlite3', 'ws', '@tensorflow/*'],
      'The renderer talks to main only through the injected contract client.',
    ),
  },
  {
    files: ['src-main/engine/**'],
    rules: restrict(
      ['electron', '**/store/**', '**/services/**', '**/server/**', '**/cli/**', '**/electron/**', 'better-sqlite3'],
      'The engine runs in a bare child process: no store, services, transport or Electron.',
    ),
  },
  {
    // Method cards and the registry: services, the CLI and Electron main read them without tfjs.
    // Model code is reached only through a card's lazy `load: () => import(...)`; types are free.
    files: [
      'src-main/engine/methods/registry.ts',
      'src-main/engine/methods/card.ts',
      'src-main/engine/methods/knobs.ts',
      'src-main/engine/methods/knob-summary.ts',
      'src-main/engine/methods/*/card.ts',
      'src-main/engine/methods/*/config.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', '**/nn', '**/nn/**', '**/train/**', '**/data/**', '**/backend', '**/projection', '**/projection/**'],
              allowTypeImports: true,
              message: 'A method card is read without loading tfjs: reach model code only through load(); see test/unit/engine/method-cards.test.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/store/**', 'src-main/services/**', 'src-main/server/**', 'src-main/cli/**'],
    rules: restrict(['electron', '**/electron/**', '**/src-renderer/**'], "Only src-main/electron may import 'electron'."),
  },
  {
    files: ['**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
);
