#!/usr/bin/env node
/**
 * Micro-benchmark of the recurrent layers (not a test): median ms of forward + backward (gradients
 * of every parameter) of a 2-layer bidirectional GRU and LSTM at B=32, T=50, D=74 → H=128, and of
 * the attention LSTM decoder at MCTN sizes (T = S = 50, hidden 32, 20-d frames), on tfjs (wasm by
 * default) beside the same modules in PyTorch on CPU (recurrent_torch.py, Debian python3-torch),
 * and the ratio tfjs/PyTorch. The two run one after the other so they do not compete for the
 * cores; on a shared machine compare the CPU-time columns too.
 *
 *   node bench/engine/recurrent.mjs [--backends wasm,cpu] [--masked] [--repeats 15] [--batch 32]
 *       [--steps 50] [--input 74] [--hidden 128] [--layers 2] [--decoder-output 20]
 *       [--decoder-hidden 32] [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm' },
    masked: { type: 'boolean', default: false },
    repeats: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '50' },
    input: { type: 'string', default: '74' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    'decoder-output': { type: 'string', default: '20' },
    'decoder-hidden': { type: 'string', default: '32' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);

const { module: harness } = await runnerImport(path.join(here, 'recurrent-harness.ts'), {
  configFile: false,
  logLevel: 'error',
  root: path.resolve(here, '../..'),
});

const shape = {
  batch: Number(values.batch),
  steps: Number(values.steps),
  inputSize: Number(values.input),
  hidden: Number(values.hidden),
  layers: Number(values.layers),
  bidirectional: true,
  masked: values.masked,
};

function torchRun(kind) {
  const decoder = kind === 'decoder';
  const args = [path.join(here, 'recurrent_torch.py'), '--kind', kind, '--batch', values.batch, '--steps', values.steps,
    '--input', decoder ? values['decoder-output'] : values.input, '--hidden', decoder ? values['decoder-hidden'] : values.hidden,
    '--layers', values.layers, '--bidirectional', '1', '--masked', values.masked ? '1' : '0', '--warmup', values.warmup,
    '--repeats', values.repeats];
  const r = spawnSync(values.python, args, { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-2).join(' ') };
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

const rows = [];
for (const kind of ['gru', 'lstm', 'decoder']) {
  const torch = torchRun(kind);
  for (const backend of values.backends.split(',').filter(Boolean)) {
    if (!(await tf.setBackend(backend))) {
      rows.push({ kind, backend, error: 'backend unavailable' });
      continue;
    }
    await tf.ready();
    const repeats = backend === 'cpu' ? Math.min(3, Number(values.repeats)) : Number(values.repeats);
    const warmup = backend === 'cpu' ? 1 : Number(values.warmup);
    const r =
      kind === 'decoder'
        ? harness.benchDecoder({ batch: shape.batch, steps: shape.steps, outputSize: Number(values['decoder-output']),
          hidden: Number(values['decoder-hidden']), warmup, repeats, seed: 1 })
        : harness.benchRecurrent({ kind, ...shape, warmup, repeats, seed: 1 });
    rows.push({ kind, backend, tfjs: r, torch, ratio: torch.median_ms ? r.median_ms / torch.median_ms : null,
      cpu_ratio: torch.median_cpu_ms ? r.median_cpu_ms / torch.median_cpu_ms : null });
  }
}

const report = { date: new Date().toISOString(), shape, rows };
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
writeFileSync(path.join(here, '..', 'results', 'recurrent.json'), JSON.stringify(report, null, 2));
const f = (v) => (typeof v === 'number' ? v.toFixed(1) : String(v));
console.log(`forward + backward; GRU/LSTM: 2-layer bidirectional, B=${shape.batch} T=${shape.steps} D=${shape.inputSize} H=${shape.hidden}${shape.masked ? ', masked' : ''};`);
console.log(`DECODER: B=${shape.batch} T=S=${shape.steps}, ${values['decoder-output']}-d frames, hidden ${values['decoder-hidden']}, teacher forcing`);
for (const r of rows) {
  if (r.error) {
    console.log(`${r.kind} ${r.backend}: ${r.error}`);
    continue;
  }
  console.log(
    `${r.kind.toUpperCase().padEnd(7)} tfjs-${r.backend.padEnd(5)} ${f(r.tfjs.median_ms)} ms (cpu ${f(r.tfjs.median_cpu_ms)})` +
      `   PyTorch ${f(r.torch.median_ms ?? r.torch.error)} ms (cpu ${f(r.torch.median_cpu_ms)}, ${r.torch.threads} threads)` +
      `   tfjs/PyTorch ${f(r.ratio)} (cpu ${f(r.cpu_ratio)})   tensors stable: ${r.tfjs.num_tensors_stable}`,
  );
}
console.log('(written to bench/results/recurrent.json)');
