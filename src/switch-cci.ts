// The switch's CCI: one dispatcher whose table is the generic set and (once a switch model is
// attached) the FM-API command sets 51h-56h. MMPT is not here: its commands are PCI-SIG MMB
// commands, reached through the same mailbox under another vendor ID (commands/mmpt/mmpt-message.ts).

import { Cci } from './cci/cci.js';
import type { CommandDef } from './cci/command.js';
import type { CciIdentity, CelEntry } from './cci/context.js';
import { switchGenericCommands } from './commands/generic/index.js';
import type { VirtualClock } from './time/clock.js';

export interface SwitchCciOptions<D> {
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

export function createSwitchCci<D>(o: SwitchCciOptions<D>): Cci<D> {
  return new Cci<D>({
    name: o.name ?? 'switch',
    clock: o.clock,
    device: o.device,
    identity: { ...DEFAULT_SWITCH_IDENTITY, ...o.identity },
    maxPayload: o.maxPayload ?? 2048,
    commands: [...switchGenericCommands, ...(o.fmApiCommands ?? [])],
    ...(o.celOverride ? { celOverride: o.celOverride } : {}),
  });
}
