// The parts every mailbox PCI function is made of, composed once: config space, BAR0 (CXL
// capability array, device status, the 4000h status, the primary mailbox, optional MCAP array
// and MMPT registers, MSI-X table and PBA) and the interrupt path mailbox/MMPT -> MSI-X -> host.
// The switch CCI function and the type 3 mailbox function are thin personalities over this.

import type { MmioBus } from './bus.js';
import { bar0Layout, type Bar0Layout } from './layout.js';
import { MsixController, type MsixEvents } from './pci/msix.js';
import { ConfigSpace, mailboxFunctionConfig } from './pci/config-space.js';
import { capabilityArray, CxlCapId, deviceStatusBlock, MailboxReadiness, type CapabilityEntry } from './registers/cxl-device-block.js';
import { Mailbox, type MailboxTarget } from './registers/mailbox.js';
import { MCAP_VENDOR_PCI, McapId, MmptRegisters } from './registers/mmpt.js';
import { RegionMap, type RegisterBlock } from './registers/register-file.js';
import type { MmptQueue } from '../mmpt/queue.js';
import type { VirtualClock } from '../time/clock.js';
import { Emitter } from '../util/emitter.js';

export interface PciIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  readonly revision: number;
  /** 24-bit class code: base << 16 | sub << 8 | prog-if. */
  readonly classCode: number;
}

export interface MailboxFunctionParts {
  readonly name: string;
  readonly cci: MailboxTarget;
  /** The PCI-SIG MMB command set (MMPT Send/Receive), behind Command Opcode Vendor ID 0001h. */
  readonly mmb?: MailboxTarget;
  readonly clock: VirtualClock;
  readonly identity: PciIdentity;
  readonly payloadSizeLog2: number;
  readonly commandLatencyMs: number;
  readonly mailboxReadyDelayMs: number;
  readonly msixVectors: number;
  readonly mailboxVector: number;
  /** Build an MCAP array with the MMB alias (and the MMPT capability when `mmpt` is given). */
  readonly mcap: boolean;
  readonly mmpt: MmptQueue | undefined;
  readonly mmptVector: number;
  readonly eventStatus: () => number;
  /** The capability 4000h status block, given the mailbox-ready condition. */
  readonly status4000: (ready: () => boolean) => RegisterBlock;
}

export interface FunctionEvents extends MsixEvents {
  /** The function was reset (FLR or reset()). */
  reset: { reason: 'flr' | 'reset' };
}

/** A mailbox PCI function, as host software sees it. */
export interface MailboxFunction {
  readonly name: string;
  /** BAR0, the only way to the device's registers. */
  readonly bar0: MmioBus;
  /** Configuration space (1, 2 or 4-byte accesses). */
  readonly config: ConfigSpace;
  /** Interrupts as delivered MSI-X messages, and resets. */
  readonly events: Emitter<FunctionEvents>;
  /** Mailbox fault hooks and latency (`mailbox.faults.stuckDoorbell = true`). */
  readonly mailbox: Mailbox;
  readonly layout: Bar0Layout;
  readonly msix: MsixController;
  /** Conventional reset of the function: registers, config space, MSI-X, readiness. */
  reset(): void;
  /** Stop listening to the CCI and the MMPT queue. */
  dispose(): void;
}

export function buildMailboxFunction(p: MailboxFunctionParts): MailboxFunction {
  if (!Number.isInteger(p.msixVectors) || p.msixVectors < 1 || p.msixVectors > 2048) {
    throw new Error(`${p.name}: MSI-X vector count ${p.msixVectors} is outside 1..2048`);
  }
  const hasMmpt = p.mcap && p.mmpt !== undefined;
  for (const [what, v] of [['mailbox', p.mailboxVector], ['MMPT', hasMmpt ? p.mmptVector : 0]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= p.msixVectors || v > 15) {
      throw new Error(`${p.name}: ${what} interrupt vector ${v} is not one of the ${p.msixVectors} MSI-X vectors (max 15)`);
    }
  }
  const layout = bar0Layout({
    payloadSizeLog2: p.payloadSizeLog2,
    cxlCapCount: 3,
    mcap: p.mcap,
    mmpt: hasMmpt,
    msixVectors: p.msixVectors,
  });

  const events = new Emitter<FunctionEvents>();
  const readiness = new MailboxReadiness(p.clock, p.mailboxReadyDelayMs);
  const ready = (): boolean => readiness.ready;
  const msix = new MsixController(p.msixVectors);
  msix.events.on('interrupt', (irq) => events.emit('interrupt', irq));

  const mailbox = new Mailbox({
    cci: p.cci,
    ...(p.mmb ? { mmb: p.mmb } : {}),
    clock: p.clock,
    payloadSizeLog2: p.payloadSizeLog2,
    interruptMessageNumber: p.mailboxVector,
    readyTimeS: Math.min(255, Math.ceil(p.mailboxReadyDelayMs / 1000)),
    commandLatencyMs: p.commandLatencyMs,
    ready,
  });
  mailbox.events.on('interrupt', (irq) => msix.raise(irq.vector, irq.cause));

  const cxlEntries: CapabilityEntry[] = [
    // Device Status capability version 2 (CXL r3.x added the event status bits for DCD).
    { id: CxlCapId.DeviceStatus, version: 2, offset: layout.deviceStatus, length: 8 },
    { id: CxlCapId.PrimaryMailbox, version: 1, offset: layout.mailbox, length: layout.mailboxSize },
    { id: CxlCapId.Status4000, version: 1, offset: layout.status4000, length: 8 },
  ];
  const bar0 = new RegionMap(`${p.name} BAR0`, layout.size)
    .add(layout.cxlCapArray, capabilityArray('CXL Device Capabilities Array', cxlEntries))
    .add(layout.deviceStatus, deviceStatusBlock(p.eventStatus))
    .add(layout.status4000, p.status4000(ready))
    .add(layout.mailbox, mailbox.region)
    .add(layout.msixTable, msix.table)
    .add(layout.msixPba, msix.pba);

  let mmptRegs: MmptRegisters | undefined;
  if (layout.mcapArray !== undefined) {
    const mcapEntries: CapabilityEntry[] = [
      // The MMB alias: the same registers as the CXL primary mailbox, not a copy.
      { id: McapId.Mmb, version: 1, offset: layout.mailbox, length: layout.mailboxSize, vendorId: MCAP_VENDOR_PCI },
    ];
    if (p.mmpt && layout.mmpt !== undefined) {
      mmptRegs = new MmptRegisters(p.mmpt, p.mmptVector);
      mmptRegs.events.on('interrupt', (irq) => msix.raise(irq.vector, irq.cause));
      mcapEntries.push({ id: McapId.Mmpt, version: 1, offset: layout.mmpt, length: mmptRegs.block.size, vendorId: MCAP_VENDOR_PCI });
      bar0.add(layout.mmpt, mmptRegs.block);
    }
    bar0.add(layout.mcapArray, capabilityArray('MCAP Array', mcapEntries));
  }

  const reset = (reason: 'flr' | 'reset'): void => {
    mailbox.reset();
    mmptRegs?.reset();
    p.mmpt?.clear();
    msix.reset();
    config.reset();
    readiness.restart();
    events.emit('reset', { reason });
  };

  const config = mailboxFunctionConfig({
    ...p.identity,
    bar0Size: layout.size,
    msixVectors: p.msixVectors,
    msixTableOffset: layout.msixTable,
    msixPbaOffset: layout.msixPba,
    cxlDeviceRegsOffset: layout.cxlCapArray,
    mcapOffset: layout.mcapArray,
    onMsixControl: (enabled, masked) => msix.setControl(enabled, masked),
    onFunctionLevelReset: () => reset('flr'),
  });

  return {
    name: p.name,
    bar0,
    config,
    events,
    mailbox,
    layout,
    msix,
    reset: () => reset('reset'),
    dispose: () => {
      mailbox.dispose();
      mmptRegs?.dispose();
    },
  };
}
