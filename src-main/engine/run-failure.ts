/**
 * What a failed run reports. Most errors already say what went wrong; one does not: when
 * tfjs-wasm's heap cannot grow, its C allocator aborts the module and the error reads only
 * "Aborted(). Build with -sASSERTIONS for more info.". That is, in practice, memory, and the
 * researcher needs the knob that fixes it.
 */
export function runFailureMessage(err: unknown, config: Record<string, unknown>): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'RuntimeError' && /^Aborted\(/.test(message)) {
    const batch = typeof config.batchSize === 'number' ? ` (now ${config.batchSize})` : '';
    return `the wasm backend ran out of memory: its heap cannot grow past 4 GB, and the allocator aborted (${message.replace(/\. Build with .*$/, '')}). Lower batchSize${batch}, or train on the tensorflow or webgpu backend`;
  }
  return message;
}
