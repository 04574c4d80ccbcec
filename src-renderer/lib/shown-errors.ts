/**
 * Which of a form's own validation errors to show: a field's once its value has changed, every
 * field's once a submit was attempted. An untouched form shows none: no "choose at least one
 * method" before anyone had the chance to choose.
 */
import { nextTick, reactive, ref, watch, type WatchSource } from 'vue';

export function useShownErrors<F extends string>(errors: () => Partial<Record<F, string>>, fields: Record<F, WatchSource>) {
  const touched = reactive(new Set<string>());
  const attempted = ref(false);
  for (const [field, source] of Object.entries(fields) as [F, WatchSource][]) watch(source, () => touched.add(field), { deep: true });

  /** The field's error if it is to be shown. */
  function shown(field: F): string | undefined {
    return attempted.value || touched.has(field) ? errors()[field] : undefined;
  }
  /** A submit: from now on every error shows; true when there is none. */
  function attempt(): boolean {
    attempted.value = true;
    return Object.keys(errors()).length === 0;
  }
  /**
   * A fresh form (after a successful submit): nothing shown until touched again. Call it after
   * clearing the fields; it waits for their watchers, so the clearing itself counts as no touch.
   */
  async function reset(): Promise<void> {
    await nextTick();
    touched.clear();
    attempted.value = false;
  }
  return { shown, attempt, reset };
}
