import type { EventName, EventPayload } from '../../src-shared/contract';

type Listener = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/** Fan-out of contract events to every connected transport (IPC windows, WebSocket clients, CLI). */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // one broken subscriber must not stop the others or the run
      }
    }
  }
}
