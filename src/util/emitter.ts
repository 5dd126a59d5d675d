// A typed listener set. Devices raise events (interrupts, progress, traces) to any number of
// observers; one assignable callback would let a second subscriber silently replace the first.
//
// Listeners live in arrays replaced on every on/off (copy on write): emit, which runs several times
// per command, walks the current array without copying it, and a listener that subscribes or
// unsubscribes during an emit changes only the next one. (A Set costs an identity hash per new
// closure and a copy per emit; both showed in the websocket path's profile.)

export type Listener<T> = (event: T) => void;

export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, readonly Listener<never>[]>();

  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    const list = this.listeners.get(name) ?? [];
    // One subscription per function, as a set would keep it.
    if (!list.includes(fn as Listener<never>)) this.listeners.set(name, [...list, fn as Listener<never>]);
    return () => this.off(name, fn);
  }

  off<K extends keyof Events>(name: K, fn: Listener<Events[K]>): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.indexOf(fn as Listener<never>);
    if (i === -1) return;
    if (list.length === 1) this.listeners.delete(name);
    else this.listeners.set(name, [...list.slice(0, i), ...list.slice(i + 1)]);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const list = this.listeners.get(name);
    if (!list) return;
    for (let i = 0; i < list.length; i++) (list[i] as Listener<Events[K]>)(event);
  }

  listenerCount(name: keyof Events): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}
