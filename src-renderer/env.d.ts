/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Present in Electron only: the preload's bridge (see src-main/electron/preload.ts). */
  api?: {
    request(name: string, input: unknown): Promise<unknown>;
    on(name: string, listener: (payload: unknown) => void): () => void;
  };
}
