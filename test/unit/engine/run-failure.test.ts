/** A failed run's message: a tfjs-wasm abort (its heap could not grow) names memory and the knob that helps. */
import { describe, expect, it } from 'vitest';
import { runFailureMessage } from '../../../src-main/engine/run-failure';

// Node's WebAssembly.RuntimeError (the project's TypeScript libs do not declare the WebAssembly namespace's values).
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

describe('runFailureMessage', () => {
  it('turns the wasm allocator abort into what ran out and what to change', () => {
    // Emscripten's abort() throws exactly this when malloc fails (tfjs-backend-wasm's glue code).
    const abort = new RuntimeError('Aborted(). Build with -sASSERTIONS for more info.');
    expect(runFailureMessage(abort, { batchSize: 128 })).toBe(
      'the wasm backend ran out of memory: its heap cannot grow past 4 GB, and the allocator aborted (Aborted()). Lower batchSize (now 128), or train on the tensorflow or webgpu backend',
    );
    expect(runFailureMessage(abort, {})).toMatch(/Lower batchSize, or train on/);
  });

  it('leaves every other error as it is', () => {
    expect(runFailureMessage(new Error('config lr: expected a positive number'), { batchSize: 32 })).toBe('config lr: expected a positive number');
    expect(runFailureMessage(new RuntimeError('unreachable'), {})).toBe('unreachable');
    expect(runFailureMessage('plain text', {})).toBe('plain text');
  });
});
