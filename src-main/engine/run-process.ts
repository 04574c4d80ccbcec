/**
 * Entry of the isolated run process: child_process.fork (CLI, browser mode) or Electron's
 * utilityProcess. It loads the dataset, trains, evaluates and reports; a crash here ends this
 * process only, and the supervisor records the run as failed.
 */
import { selectBackend } from './backend';
import { readDatasetFile, writeDatasetFile } from './data/dataset-file';
import { ImportError, importDatasetFile } from './data/import';
import { findSyntheticSpec, generateSynthetic } from './data/synthetic';
import { assertTrainsOn, getMethod, instantiate } from './methods/registry';
import { project } from './projection';
import type { ChildMessage, ImportReply, ImportRequest, ParentMessage, RunSpec } from './protocol';
import { createRng } from './random';
import { runFailureMessage } from './run-failure';
import { evaluate } from './train/evaluate';
import { trainMethod } from './train/trainer';
import { shapeOf } from './types';

interface Port {
  send(msg: ChildMessage | ImportReply): void;
  /** Resolves once every message sent so far has left this process. */
  flush(): Promise<void>;
  onMessage(listener: (msg: ParentMessage) => void): void;
}

interface ElectronParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function connect(): Port {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (msg) => electronPort.postMessage(msg),
      flush: () => new Promise((resolve) => setTimeout(resolve, 100)),
      onMessage: (listener) => electronPort.on('message', (e) => listener(e.data as ParentMessage)),
    };
  }
  if (!process.send) throw new Error('run-process must be started by a run supervisor (no IPC channel)');
  let last: Promise<void> = Promise.resolve();
  return {
    send: (msg) => {
      last = new Promise((resolve) => process.send!(msg, undefined, {}, () => resolve()));
    },
    flush: () => last,
    onMessage: (listener) => process.on('message', (m) => listener(m as ParentMessage)),
  };
}

async function run(spec: RunSpec, port: Port, isCancelled: () => boolean): Promise<void> {
  const t0 = performance.now();
  const method = getMethod(spec.method);
  // Queued before this check existed, or by a caller that skipped runs.start: refuse before training.
  assertTrainsOn(method, spec.backend);
  const backend = await selectBackend(spec.backend, { asyncReads: method.asyncReads === true });
  port.send({ type: 'started', backend, pid: process.pid });
  const data = readDatasetFile(spec.datasetPath, spec.datasetSha256);
  const tLoaded = performance.now();
  const shape = shapeOf(data);
  const instance = await instantiate(spec.method, { shape, config: spec.config, seed: spec.seed, rng: createRng(`${spec.seed}|init|${spec.method}`), trainSize: data.train.n });
  const outcome = await trainMethod(
    instance,
    data,
    {
      seed: spec.seed,
      cacheDir: spec.cacheDir,
      cacheScope: `${spec.datasetSha256}|${backend}`,
      checkpointDir: spec.checkpointDir,
      representation: method.representation,
    },
    {
      onStep: (p) => port.send({ type: 'progress', ...p }),
      onEpoch: (record) => port.send({ type: 'epoch', record }),
      onPhaseReused: (phase, cacheFile, epochs) => port.send({ type: 'phase-reused', phase, cacheFile, epochs }),
      cancelled: isCancelled,
    },
  );
  if (outcome.kind === 'cancelled') {
    port.send({ type: 'cancelled' });
    return;
  }
  const tTrained = performance.now();
  const labels = Array.from(data.test.y);
  const { results, representations, teacher } = await evaluate(instance, data, spec.maskSeed);
  if (teacher) port.send({ type: 'teacher-evaluated', metrics: teacher });
  for (const r of results) {
    port.send({ type: 'evaluated', protocol: r.protocol, condition: r.condition, metrics: r.metrics, predictions: Array.from(r.predictions), width: r.width, labels: r.width ? labels : [] });
  }
  for (const r of representations) {
    port.send({ type: 'representation', condition: r.condition, values: Array.from(r.values), width: r.width, labels });
  }
  const tDone = performance.now();
  instance.dispose();
  port.send({
    type: 'done',
    outcome: outcome.kind,
    message: outcome.kind === 'collapsed' ? outcome.message : null,
    timings: { loadSeconds: (tLoaded - t0) / 1000, trainSeconds: (tTrained - tLoaded) / 1000, evalSeconds: (tDone - tTrained) / 1000, totalSeconds: (tDone - t0) / 1000 },
  });
}

function generate(datasetId: string, path: string, port: Port): void {
  const spec = findSyntheticSpec(datasetId);
  if (!spec) throw new Error(`no built-in synthetic dataset '${datasetId}'`);
  port.send({ type: 'generated', sha256: writeDatasetFile(path, generateSynthetic(spec)) });
}

/** Parses and validates the file, then writes the converted dataset to the parent's temp path. */
async function importFile(req: ImportRequest, port: Port): Promise<void> {
  const t0 = performance.now();
  // Progress at most every 100 ms: a multi-GB pickle would otherwise send thousands of messages.
  let last = -Infinity;
  const { data, report, format } = await importDatasetFile(req.file, {
    ...(req.format ? { format: req.format } : {}),
    ...(req.kind ? { kind: req.kind } : {}),
    ...(req.name ? { name: req.name } : {}),
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      port.send({ type: 'import-progress', ...p });
    },
  });
  port.send({ type: 'import-progress', phase: 'write', done: 0, total: 1 });
  const sha256 = writeDatasetFile(req.path, data);
  const { train, valid, test } = data;
  port.send({
    type: 'imported',
    result: {
      name: data.name,
      kind: data.kind,
      task: data.task,
      format,
      T: data.T,
      dims: data.dims,
      labelDim: data.labelDim,
      splits: { train: train.n, valid: valid.n, test: test.n },
      sha256,
      report,
      seconds: (performance.now() - t0) / 1000,
    },
  });
}

/** Exit status of an engine process whose supervisor died; nobody reads it, but it is distinct. */
const EXIT_ORPHANED = 3;
const SUPERVISOR_CHECK_MS = 500;

/**
 * An engine process never outlives its supervisor: nobody would store what it computes, and a
 * resumed run would have two engines writing one checkpoint. The IPC channel closes when the
 * parent dies (child_process.fork); where there is none to watch (Electron's utility process), or
 * its close goes unnoticed, the parent pid changing (re-parenting to init) tells the same. Both
 * are seen between training steps, which yield to the event loop. Checkpoints are complete up to
 * the last epoch, so exiting anywhere loses at most the epoch in progress.
 */
function exitWithSupervisor(): void {
  const parent = process.ppid;
  const orphaned = (): never => process.exit(EXIT_ORPHANED);
  process.on('disconnect', orphaned);
  setInterval(() => {
    if (process.ppid !== parent) orphaned();
  }, SUPERVISOR_CHECK_MS).unref();
}

function main(): void {
  exitWithSupervisor();
  const port = connect();
  let cancelled = false;
  let started = false;
  port.onMessage((msg) => {
    if (msg.type === 'cancel') {
      cancelled = true;
      return;
    }
    if (msg.type === 'project' && !started) {
      started = true;
      try {
        const r = project(Float32Array.from(msg.values), msg.width, Float32Array.from(msg.labels), msg.labelDim, msg.request);
        port.send({ type: 'projected', indices: r.indices, points: Array.from(r.points), params: r.params });
      } catch (err) {
        port.send({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
      }
      void port.flush().then(() => process.exit(0));
      return;
    }
    if (msg.type === 'generate' && !started) {
      started = true;
      try {
        generate(msg.datasetId, msg.path, port);
      } catch (err) {
        port.send({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
      }
      void port.flush().then(() => process.exit(0));
      return;
    }
    if (msg.type === 'import' && !started) {
      started = true;
      importFile(msg.request, port)
        .catch((err: unknown) =>
          port.send(
            err instanceof ImportError
              ? { type: 'import-failed', error: err.message, code: err.code, keyPath: err.keyPath }
              : { type: 'import-failed', error: err instanceof Error ? err.message : String(err), code: 'internal', keyPath: '' },
          ),
        )
        .finally(() => void port.flush().then(() => process.exit(0)));
      return;
    }
    if (msg.type === 'start' && !started) {
      started = true;
      run(msg.spec, port, () => cancelled)
        .catch((err: unknown) => port.send({ type: 'failed', error: runFailureMessage(err, msg.spec.config) }))
        .finally(() => void port.flush().then(() => process.exit(0)));
    }
  });
}

main();
