import { Cci } from '../../cci/cci.js';
import type { CommandDef } from '../../cci/command.js';
import type { VirtualClock } from '../../time/clock.js';
import { mmptReceiveMessageCommand } from './receive-message.js';
import { mmptSendMessageCommand, type MmptDevice } from './send-message.js';

export { mmptReceiveMessageCommand, mmptSendMessageCommand };
export * from './mmpt-message.js';
export { mmptMessageCodec, type MmptDevice, type MmptMessage } from './send-message.js';

/**
 * The PCI-SIG MMB command set (vendor ID 0001h, mmpt-message.ts): MMPT's two commands. It is not
 * part of any CXL CCI's table, so no CEL lists it.
 */
export const mmptCommands: readonly CommandDef<MmptDevice>[] = [mmptSendMessageCommand, mmptReceiveMessageCommand];

/**
 * A dispatcher for the MMB command set, reached through a mailbox's Command Opcode Vendor ID 0001h.
 * It reuses the CCI dispatcher for the generic checks (length, decoding) and never reports a CEL.
 */
export function createMmbCommandSet(o: { clock: VirtualClock; device: MmptDevice; maxPayload: number; name?: string }): Cci<MmptDevice> {
  return new Cci<MmptDevice>({
    name: o.name ?? 'switch MMB (PCI-SIG)',
    clock: o.clock,
    device: o.device,
    // Identify is not part of this set; the identity is never reported.
    identity: { vendorId: 0x0001, deviceId: 0, subsystemVendorId: 0, subsystemId: 0, serialNumber: 0n, componentType: 0 },
    maxPayload: o.maxPayload,
    commands: mmptCommands,
  });
}
