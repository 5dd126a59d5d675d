// One source of Redfish events for every consumer (the SSE stream, event subscriptions): each CXL
// event record any CCI logs (the runtime's 'event-record', the records Get Event Records serves)
// becomes one Event, numbered once, built once, and handed to every listener. The runtime builds
// records only while someone wants them, so the hub asks for them only while it has listeners.

import type { EmulatorRuntime } from '../plugins/runtime.js';
import type { Json } from './common.js';
import { dcChunkId } from './dc-chunks.js';
import { redfishEvent } from './events.js';
import { FabricView } from './fabric-view.js';
import { chunkUriById } from './memory-resources.js';

export type EventListener = (event: Json) => void;

/** The chunk a DC event record of `cci` ('port3.ld0') names, from the live view. */
export function chunkOfRecord(v: FabricView, cci: string, host: number, dpa: bigint): string | undefined {
  const m = /^port(\d+)\.ld\d+$/.exec(cci);
  const mem = m ? v.memory.find((x) => x.ports.includes(Number(m[1]))) : undefined;
  return mem ? chunkUriById(mem, dcChunkId(host, dpa)) : undefined;
}

export class RedfishEventHub {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private off: (() => void) | undefined;

  constructor(private readonly rt: EmulatorRuntime) {}

  /** Send an event that no record caused (EventService.SubmitTestEvent) to every listener. */
  publish(build: (seq: number) => Json): void {
    const ev = build(++this.seq);
    for (const l of [...this.listeners]) l(ev);
  }

  /** Listen to every event from now on; the returned function stops listening. */
  listen(fn: EventListener): () => void {
    this.listeners.add(fn);
    if (!this.off) {
      this.rt.want('event-record', 1);
      const stop = this.rt.events.on('event', (e) => {
        if (e.kind !== 'event-record') return;
        const v = new FabricView(this.rt.system);
        const sld = (port: number): boolean => v.targets.some((t) => t.port === port && t.ld === undefined);
        const ev = redfishEvent({ cci: e.cci, log: e.log, handle: e.handle, record: e.record }, ++this.seq, new Date().toISOString(), sld, (host, dpa) => chunkOfRecord(v, e.cci, host, dpa));
        for (const l of [...this.listeners]) l(ev);
      });
      this.off = () => {
        stop();
        this.rt.want('event-record', -1);
      };
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) {
        this.off?.();
        this.off = undefined;
      }
    };
  }
}
