import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ScenarioPreviewInput, ScenarioSaveInput } from '../../src-shared/contract';
import type { ScenarioPreview } from '../../src-shared/models';
import type { ScenarioSummary } from '../../src-shared/results/scenario';
import { draftOf, type ScenarioDraft } from '../lib/scenario-draft';
import { useClient } from './client';
import { toFieldError, type FieldError } from './field-error';

/** Saved scenarios, the builder's save request, and its live masking preview. */
export const useScenariosStore = defineStore('scenarios', () => {
  const list = ref<ScenarioSummary[]>([]);
  /** The builder's form, kept here so it survives switching screens. */
  const draft = ref<ScenarioDraft>(draftOf(null));
  const saveError = ref<FieldError | null>(null);
  const saving = ref(false);
  const lastSaved = ref<ScenarioSummary | null>(null);
  const preview = ref<ScenarioPreview | null>(null);
  const previewError = ref<FieldError | null>(null);
  const previewLoading = ref(false);
  /** The builder asks on every edit; only the newest answer may land. */
  let previewTicket = 0;

  /** Starts the builder from a saved scenario's settings (a copy: built-ins cannot be replaced). */
  function startFrom(s: ScenarioSummary): void {
    draft.value = draftOf(s, s.builtin ? '' : s.name);
    saveError.value = null;
  }

  async function load(): Promise<void> {
    list.value = await useClient().request('scenarios.list', {});
  }

  async function save(input: ScenarioSaveInput): Promise<ScenarioSummary | null> {
    saving.value = true;
    saveError.value = null;
    try {
      const saved = await useClient().request('scenarios.save', input);
      lastSaved.value = saved;
      await load();
      return saved;
    } catch (err) {
      saveError.value = toFieldError(err);
      return null;
    } finally {
      saving.value = false;
    }
  }

  async function loadPreview(input: ScenarioPreviewInput): Promise<void> {
    const ticket = ++previewTicket;
    previewLoading.value = true;
    try {
      const p = await useClient().request('scenarios.preview', input);
      if (ticket !== previewTicket) return;
      preview.value = p;
      previewError.value = null;
    } catch (err) {
      if (ticket !== previewTicket) return;
      preview.value = null;
      previewError.value = toFieldError(err);
    } finally {
      if (ticket === previewTicket) previewLoading.value = false;
    }
  }

  return { list, draft, startFrom, saveError, saving, lastSaved, preview, previewError, previewLoading, load, save, loadPreview };
});
