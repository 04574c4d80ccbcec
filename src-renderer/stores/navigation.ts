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

function isTab(x: string): x is TabId {
  return TABS.some((t) => t.id === x);
}

/** The tab named by the address's fragment (#results), so a reload or a shared link opens it. */
function tabFromLocation(): TabId | null {
  if (typeof window === 'undefined') return null;
  const id = window.location.hash.replace(/^#\/?/, '');
  return isTab(id) ? id : null;
}

/**
 * Which screen is shown; a store so that an action on one screen can open another (launch → queue).
 * The tab lives in the address's fragment: the token in the query is kept, a reload stays on the
 * screen, and the browser's back button goes to the previous one.
 */
export const useNavigationStore = defineStore('navigation', () => {
  const tab = ref<TabId>(tabFromLocation() ?? 'datasets');
  function open(next: TabId): void {
    tab.value = next;
    if (typeof window !== 'undefined' && window.location.hash !== `#${next}`) window.location.hash = next;
  }
  if (typeof window !== 'undefined') {
    window.addEventListener('hashchange', () => {
      const id = tabFromLocation();
      if (id) tab.value = id;
    });
  }
  return { tab, open };
});
