import { onScopeDispose, shallowRef, watch, type ShallowRef } from 'vue';

/**
 * A snapshot of `read()` refreshed at most every `ms` milliseconds while `trigger()` changes.
 * Live runs push progress ~10 times a second per run; redrawing a chart that often would keep the
 * main thread busy, so charts follow this snapshot instead (the last change always lands).
 */
export function useThrottled<T>(trigger: () => unknown, read: () => T, ms: number): ShallowRef<T> {
  const out = shallowRef(read());
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    timer = null;
    last = Date.now();
    out.value = read();
  };
  watch(trigger, () => {
    const wait = last + ms - Date.now();
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  });
  onScopeDispose(() => {
    if (timer) clearTimeout(timer);
  });
  return out;
}
