// The switch's event records (CXL r3.2 7.6.8 Fabric Management Event Records), composed one level
// above the switch model and its command tables: the model emits what changed (src/switch/
// switch.ts 'vppb-changed', 'port-changed'); this turns each change into the record the spec ties
// to it and adds it to the switch CCI's event log (src/events/event-log.ts), which the Events set
// on the switch CCI serves.
//
// Choices where the spec is silent, all made here:
// - A bind or unbind that completes is an Informational Binding Change record; one that ends the
//   other way (aborted, or the device went away) a Warning one (7.6.8.2 says failed operations go
//   to the Warning log). Bindings made from the topology file at start-up are configuration, not
//   events: the generator is attached after them.
// - PERST assert/deassert and a PPB hot reset (start and end) are Link State Change records
//   (7.6.8.1 event type 00h) on the Informational log: the FM asked for them.
// - A link that drops or comes back by itself (a link fault, src/faults) is a Link State Change
//   record too: Warning when it drops (nobody asked), Informational when it is back.
// - A device appearing or going away is a Slot Status Register Updated record (type 01h) with the
//   PCIe Slot Status bits Presence Detect Changed (bit 3), Presence Detect State (bit 6) and Data
//   Link Layer State Changed (bit 8); a device going away is a Warning, its arrival Informational.
// - LD allocation changes (Set LD Allocations) have no Fabric Management record type in r3.2; the
//   switch logs nothing for them.

import { getPhysicalPortStateResponseCodec, portInfo } from './commands/switch/get-physical-port-state.js';
import { vppbInfo } from './commands/vcs/get-virtual-cxl-switch-info.js';
import { EventLog, type EventLogs } from './events/event-log.js';
import { PhysicalSwitchEventType, physicalSwitchEventRecord, VirtualSwitchEventType, virtualSwitchEventRecord } from './events/records.js';
import type { Switch, VppbState } from './switch/switch.js';

const SLOT_PRESENCE_DETECT_CHANGED = 1 << 3;
const SLOT_PRESENCE_DETECT_STATE = 1 << 6;
const SLOT_DLL_STATE_CHANGED = 1 << 8;

/** Start turning the switch's changes into event records; returns the detach function. */
export function attachFabricEventRecords(sw: Switch, events: EventLogs): () => void {
  const last = new Map<string, VppbState>();
  for (const vcs of sw.vcsList()) vcs.vppbs.forEach((s, i) => last.set(`${vcs.id}:${i}`, s));

  const portState = (port: number): Uint8Array => {
    const p = sw.port(port);
    const block = new Uint8Array(16);
    if (p) block.set(getPhysicalPortStateResponseCodec.encode([portInfo(sw, p)]).subarray(4, 20));
    return block;
  };

  const offVppb = sw.events.on('vppb-changed', ({ vcs, vppb, state }) => {
    const key = `${vcs}:${vppb}`;
    const before = last.get(key);
    last.set(key, state);
    if (!before || (before.kind !== 'binding' && before.kind !== 'unbinding')) return;
    const succeeded = (before.kind === 'binding' && state.kind === 'bound') || (before.kind === 'unbinding' && state.kind === 'unbound');
    const info = vppbInfo(state);
    const log = succeeded ? EventLog.Informational : EventLog.Warning;
    events.add(
      log,
      virtualSwitchEventRecord({ severity: log, vcs, vppb, eventType: VirtualSwitchEventType.BindingChange, bindingStatus: info.status, boundPort: info.portId, boundLd: info.ldId }),
    );
  });

  const offPort = sw.events.on('port-changed', ({ port, change }) => {
    switch (change) {
      case 'perst-asserted':
      case 'perst-deasserted':
      case 'hot-reset':
      case 'hot-reset-done':
        events.add(EventLog.Informational, physicalSwitchEventRecord({ severity: 0, port, eventType: PhysicalSwitchEventType.LinkStateChange, slotStatus: 0, portState: portState(port) }));
        return;
      case 'link-down':
      case 'link-up': {
        const log = change === 'link-down' ? EventLog.Warning : EventLog.Informational;
        events.add(log, physicalSwitchEventRecord({ severity: log, port, eventType: PhysicalSwitchEventType.LinkStateChange, slotStatus: SLOT_DLL_STATE_CHANGED, portState: portState(port) }));
        return;
      }
      case 'device-attached':
      case 'device-detached': {
        const present = change === 'device-attached';
        const log = present ? EventLog.Informational : EventLog.Warning;
        const slotStatus = SLOT_PRESENCE_DETECT_CHANGED | SLOT_DLL_STATE_CHANGED | (present ? SLOT_PRESENCE_DETECT_STATE : 0);
        events.add(log, physicalSwitchEventRecord({ severity: log, port, eventType: PhysicalSwitchEventType.SlotStatusRegisterUpdated, slotStatus, portState: portState(port) }));
        return;
      }
      default:
        return;
    }
  });

  return () => {
    offVppb();
    offPort();
  };
}
