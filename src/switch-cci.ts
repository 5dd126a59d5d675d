// The switch's CCI: one dispatcher whose table is the generic set, the Events set (CXL r3.2
// 8.2.10.2, serving the Fabric Management event records of 7.6.8) and (once a switch model is
// attached) the FM-API command sets 51h-56h. MMPT is not here: its commands are PCI-SIG MMB
// commands, reached through the same mailbox under another vendor ID (commands/mmpt/mmpt-message.ts).

import { DEFAULT_PAYLOAD_SIZE_LOG2 } from './cci/message-size.js';
import { Cci } from './cci/cci.js';
import type { CommandDef } from './cci/command.js';
import type { CciIdentity, CelEntry } from './cci/context.js';
import { eventsCommands, mctpEventPolicyCommands } from './commands/events/index.js';
import { switchGenericCommands } from './commands/generic/index.js';
import { EventLogs, type EventsDevice } from './events/event-log.js';
import type { VirtualClock } from './time/clock.js';

export interface SwitchCciOptions<D extends EventsDevice> {
  readonly clock: VirtualClock;
  readonly device: D;
  readonly identity?: Partial<CciIdentity>;
  /** Mailbox payload size (bytes); the CCI's largest message. */
  readonly maxPayload?: number;
  readonly fmApiCommands?: readonly CommandDef<D>[];
  readonly celOverride?: (entries: CelEntry[]) => CelEntry[];
  readonly name?: string;
}

/** Identify answers for the switch: the USP's IDs (QEMU's emulation IDs 19E5h:A128h by default). */
export const DEFAULT_SWITCH_IDENTITY: CciIdentity = {
  vendorId: 0x19e5,
  deviceId: 0xa128,
  subsystemVendorId: 0,
  subsystemId: 0,
  serialNumber: 0x1234n,
  componentType: 0, // CXL r3.2 Table 8-37: switch
};

export function createSwitchCci<D extends EventsDevice>(o: SwitchCciOptions<D>): Cci<D> {
  return new Cci<D>({
    name: o.name ?? 'switch',
    clock: o.clock,
    device: o.device,
    identity: { ...DEFAULT_SWITCH_IDENTITY, ...o.identity },
    maxPayload: o.maxPayload ?? 2 ** DEFAULT_PAYLOAD_SIZE_LOG2,
    commands: [...switchGenericCommands, ...eventsCommands, ...mctpEventPolicyCommands, ...(o.fmApiCommands ?? [])],
    ...(o.celOverride ? { celOverride: o.celOverride } : {}),
  });
}

/** Records per switch event log; the switch has no Dynamic Capacity log. */
export const SWITCH_EVENT_LOG_CAPACITY = 32;

/** The switch CCI's event logs, stamped with that CCI's timestamp (set once the CCI exists). */
export function createSwitchEventLogs(now: () => bigint): EventLogs {
  return new EventLogs({ capacity: SWITCH_EVENT_LOG_CAPACITY, now, dynamicCapacity: false });
}
