/** The service's event fan-out: every listener gets every event; one that throws is logged, not fatal. */
import type { ParleyEvent } from '../../shared/dto.ts';

export type EventListener = (event: ParleyEvent) => void;

/** See the module comment. */
export class EventHub {
  readonly #listeners = new Set<EventListener>();
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers the event to every listener. */
  emit(event: ParleyEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#log(`event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
