import type { EventEnvelope, EventMap, EventName } from '../../shared/events';

type Listener = (envelope: EventEnvelope) => void;

/** The core's push channel: Electron windows, WebSocket clients and the CLI all subscribe to it. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<K extends EventName>(name: K, payload: EventMap[K]): void {
    const envelope = { name, payload } as EventEnvelope;
    for (const l of this.listeners) {
      try {
        l(envelope);
      } catch {
        // a broken subscriber must not break the emitter or the others
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
