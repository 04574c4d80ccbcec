/**
 * Services, the CLI and Electron main read method cards, never method code: commands that list,
 * describe or validate methods must not load tfjs. Each command runs in a fresh node with a module
 * resolve hook that logs every @tensorflow module resolved, and a check at exit for tfjs's engine.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuild, tempHome } from './helpers';

const probeDir = mkdtempSync(join(tmpdir(), 'hrlf-probe-'));
const hooks = join(probeDir, 'hooks.mjs');
const register = join(probeDir, 'register.mjs');

writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/@tensorflow/')) appendFileSync(process.env.HRLF_PROBE_LOG, result.url + '\\n');
  return result;
}
`,
);
writeFileSync(
  register,
  `import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
process.on('exit', () => {
  if (globalThis._tfengine) appendFileSync(process.env.HRLF_PROBE_LOG, 'tfjs engine created (globalThis._tfengine)\\n');
});
`,
);

/** Runs the CLI; returns its exit code and every @tensorflow module it loaded. */
function probe(args: string[], home: string): Promise<{ code: number; loaded: string[]; stderr: string }> {
  const log = join(probeDir, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  return new Promise((done) => {
    execFile(process.execPath, ['--import', pathToFileURL(register).href, BIN, '--home', home, ...args], { env: { ...process.env, HRLF_PROBE_LOG: log }, timeout: 60_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stderr, loaded: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [] });
    });
  });
}

describe('the CLI loads no tfjs to list, describe or validate methods', () => {
  beforeAll(() => requireBuild());
  const home = tempHome();

  it.each([
    [['--help'], 0],
    [['datasets'], 0],
    [['methods'], 0],
    [['methods', 'show', 'hrlf'], 0],
    [['train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--set', 'foo=1'], 2],
    [['experiment', 'create', '--methods', 'hrlf,lf-linear', '--datasets', 'synth-mosi', '--seeds', '1'], 0],
  ])('hrlf %j', async (args, code) => {
    const r = await probe(args, home);
    expect(r.code, r.stderr).toBe(code);
    expect(r.loaded).toEqual([]);
  });

  it('the probe sees tfjs where it is loaded', async () => {
    const log = join(probeDir, 'positive');
    writeFileSync(log, '');
    const script = join(probeDir, 'loads-tfjs.mjs');
    const tfjs = pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core')).href;
    writeFileSync(script, `await import(${JSON.stringify(tfjs)});\n`);
    await new Promise<void>((done) => execFile(process.execPath, ['--import', pathToFileURL(register).href, script], { env: { ...process.env, HRLF_PROBE_LOG: log } }, () => done()));
    expect(readFileSync(log, 'utf8')).toMatch(/@tensorflow\/tfjs-core/);
  });
});
