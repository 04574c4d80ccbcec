import { defineStore } from 'pinia';
import { ref } from 'vue';

export const TABS = [
  { id: 'datasets', title: 'Datasets' },
  { id: 'scenarios', title: 'Scenarios' },
  { id: 'experiments', title: 'Experiments & queue' },
  { id: 'results', title: 'Results' },
  { id: 'curves', title: 'Robustness curves' },
  { id: 'runs', title: 'Runs' },
  { id: 'embeddings', title: 'Embeddings' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

/** Which screen is shown; a store so that an action on one screen can open another (launch → queue). */
export const useNavigationStore = defineStore('navigation', () => {
  const tab = ref<TabId>('datasets');
  function open(next: TabId): void {
    tab.value = next;
  }
  return { tab, open };
});
