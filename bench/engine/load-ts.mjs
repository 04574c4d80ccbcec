/**
 * Loads a TypeScript harness from plain `node` through Vite's SSR module loader (vite is a dev
 * dependency; no tsx needed). The loader stays open until `close()`, so the harness can reach
 * method code through a card's lazy `import()`, as the run process does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function loadHarness(file) {
  const server = await createServer({ configFile: false, root, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, watch: null } });
  const module = await server.ssrLoadModule(file);
  return { module, close: () => server.close() };
}
