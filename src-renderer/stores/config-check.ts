import { onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { MethodsCheckConfigInput } from '../../src-shared/contract';
import type { MethodConfigCheck } from '../../src-shared/methods';
import { useClient } from './client';
import { toFieldError, type FieldError } from './field-error';

/** The first refused request and the services' reason; `field` as runs.start reports it (e.g. config.lr). */
export interface ConfigCheckError extends FieldError {
  input: MethodsCheckConfigInput;
}

/**
 * Validates config knobs as the user types: each request goes to `methods.checkConfig`, which runs
 * the resolution runs.start runs (the renderer restates no rule), after `delayMs` of quiet. A newer
 * check supersedes an older one still in flight.
 */
export function useConfigCheck(requests: () => MethodsCheckConfigInput[], delayMs = 300) {
  const results = shallowRef<MethodConfigCheck[]>([]);
  const error = shallowRef<ConfigCheckError | null>(null);
  const pending = ref(false);
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function check(list: MethodsCheckConfigInput[]): Promise<void> {
    const mine = ++generation;
    const client = useClient();
    const settled = await Promise.all(
      list.map(async (input) => {
        try {
          return { input, result: await client.request('methods.checkConfig', input) };
        } catch (err) {
          return { input, error: toFieldError(err) };
        }
      }),
    );
    if (mine !== generation) return;
    const failed = settled.find((s) => s.error);
    error.value = failed?.error ? { ...failed.error, input: failed.input } : null;
    results.value = settled.flatMap((s) => (s.result ? [s.result] : []));
    pending.value = false;
  }

  watch(
    () => JSON.stringify(requests()),
    () => {
      if (timer) clearTimeout(timer);
      const list = requests();
      if (list.length === 0) {
        generation++;
        results.value = [];
        error.value = null;
        pending.value = false;
        return;
      }
      pending.value = true;
      timer = setTimeout(() => void check(list), delayMs);
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    if (timer) clearTimeout(timer);
  });

  return { results, error, pending };
}
