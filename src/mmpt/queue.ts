// The MMPT receive queue (PCIe r6.3 6.36.1, project decision 3): responses to Send Message wait
// here until Receive Message fetches them. The MMPT capability's notification register and
// interrupt report that something is waiting.

import { Emitter } from '../util/emitter.js';

export interface MmptQueueEvents {
  /** A response was queued; `depth` is the queue length after the push. */
  queued: { depth: number };
}

export class MmptQueue {
  readonly events = new Emitter<MmptQueueEvents>();
  private readonly items: Uint8Array[] = [];

  constructor(readonly capacity = 16) {}

  get depth(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** Queue a whole response message; false when the queue is full (nothing queued). */
  push(message: Uint8Array): boolean {
    if (this.full) return false;
    this.items.push(message);
    this.events.emit('queued', { depth: this.items.length });
    return true;
  }

  peek(): Uint8Array | undefined {
    return this.items[0];
  }

  shift(): Uint8Array | undefined {
    return this.items.shift();
  }

  clear(): void {
    this.items.length = 0;
  }
}
