// Event record layouts (pure encoders): the Common Event Record header (CXL r3.2 8.2.10.2.1,
// Table 8-55) and the records this emulator generates. Each returns the 128 bytes a log stores; the
// log stamps handle, length and timestamp (src/events/event-log.ts).

import { ByteWriter, uuidBytes } from '../util/bytes.js';
import { EVENT_RECORD_BYTES, type EventLogId } from './event-log.js';

/** Event Record Identifiers (CXL r3.2 8.2.10.2.1.x, 7.6.8). */
export const EventRecordUuid = {
  GeneralMedia: 'fbcd0a77-c260-417f-85a9-088b1621eba6',
  MemoryModule: 'fe927475-dd59-4339-a586-79bab113b774',
  PhysicalSwitch: '77cf9271-9c02-470b-9fe4-bc7b75f2da97',
  VirtualSwitch: '40d26425-3396-4c4d-a5da-3d47263af425',
  MldPort: '8dc44363-0c96-4710-b7bf-04bb99534c3f',
} as const;

/** Event Record Flags bits 1:0, Event Record Severity: the log a record goes to has its severity. */
export function severityOf(log: EventLogId): number {
  return log === 4 ? 0 : log; // DC records are informational (8.2.10.2.1.6)
}

export interface CommonHeader {
  readonly uuid: string;
  /** Severity, bits 1:0 of the flags (0 info, 1 warning, 2 failure, 3 fatal). */
  readonly severity: number;
  /** Other Event Record Flags bits (bit 2 permanent, 3 maintenance needed, ...). */
  readonly flags?: number;
}

/** A record with its common header filled (handle, length and timestamp are the log's). */
function record(h: CommonHeader): ByteWriter {
  const w = new ByteWriter(EVENT_RECORD_BYTES);
  w.set(0x00, uuidBytes(h.uuid));
  w.u8(0x10, EVENT_RECORD_BYTES);
  const flags = (h.severity & 0x3) | ((h.flags ?? 0) & ~0x3);
  w.u8(0x11, flags & 0xff).u8(0x12, (flags >> 8) & 0xff).u8(0x13, (flags >> 16) & 0xff);
  return w;
}

// --- Fabric Management event records (CXL r3.2 7.6.8) ------------------------------------------

export const PhysicalSwitchEventType = { LinkStateChange: 0x00, SlotStatusRegisterUpdated: 0x01 } as const;

/**
 * Physical Switch Event Record (Table 7-79). `portState` is the port's 16-byte Get Physical Port
 * State info block (Table 7-21): record bytes 35h..42h repeat block bytes 01h..0Eh.
 */
export function physicalSwitchEventRecord(o: { severity: number; port: number; eventType: number; slotStatus: number; portState: Uint8Array }): Uint8Array {
  const w = record({ uuid: EventRecordUuid.PhysicalSwitch, severity: o.severity });
  w.u8(0x30, o.port).u8(0x31, o.eventType).u16(0x32, o.slotStatus);
  w.set(0x35, o.portState.subarray(0x01, 0x0f));
  return w.bytes;
}

export const VirtualSwitchEventType = {
  BindingChange: 0x00,
  SecondaryBusReset: 0x01,
  LinkControlRegisterUpdated: 0x02,
  SlotControlRegisterUpdated: 0x03,
} as const;

/** Virtual CXL Switch Event Record (Table 7-80). */
export function virtualSwitchEventRecord(o: {
  severity: number;
  vcs: number;
  vppb: number;
  eventType: number;
  bindingStatus: number;
  boundPort: number;
  boundLd: number;
  linkControl?: number;
  slotControl?: number;
}): Uint8Array {
  const w = record({ uuid: EventRecordUuid.VirtualSwitch, severity: o.severity });
  w.u8(0x30, o.vcs).u8(0x31, o.vppb).u8(0x32, o.eventType).u8(0x33, o.bindingStatus).u8(0x34, o.boundPort).u8(0x35, o.boundLd);
  w.u16(0x36, o.linkControl ?? 0).u16(0x38, o.slotControl ?? 0);
  return w.bytes;
}

export const MldPortEventType = { CorrectableMessage: 0x00, NonFatalMessage: 0x01, FatalMessage: 0x02 } as const;

/** MLD Port Event Record (Table 7-81): the first 8 bytes of the PCIe error message received. */
export function mldPortEventRecord(o: { eventType: number; port: number; errorMessage: Uint8Array }): Uint8Array {
  // 7.6.8.3: correctable -> Warning log, non-fatal and fatal -> Failure log.
  const w = record({ uuid: EventRecordUuid.MldPort, severity: o.eventType === MldPortEventType.CorrectableMessage ? 1 : 2 });
  w.u8(0x30, o.eventType).u8(0x31, o.port);
  w.set(0x34, o.errorMessage.subarray(0, 8));
  return w.bytes;
}

// --- memory device event records (CXL r3.2 8.2.10.2.1) ------------------------------------------

/** General Media Event Record Transaction Type (Table 8-57). */
export const MediaTransactionType = { Unknown: 0x00, HostRead: 0x01, HostWrite: 0x02, HostScanMedia: 0x03, HostInjectPoison: 0x04, InternalMediaScrub: 0x05 } as const;

/** General Media Event Record (Table 8-57): DPA bits 63:6 with flags bits 2:0, descriptor, type, transaction. */
export function generalMediaEventRecord(o: { severity: number; dpa: bigint; volatile: boolean; descriptor: number; memoryEventType: number; transactionType: number }): Uint8Array {
  const w = record({ uuid: EventRecordUuid.GeneralMedia, severity: o.severity });
  w.u64(0x30, (o.dpa & ~0x3fn) | (o.volatile ? 1n : 0n));
  w.u8(0x38, o.descriptor).u8(0x39, o.memoryEventType).u8(0x3a, o.transactionType);
  // Validity Flags (3Bh) stay 0: channel, rank, device and component ID are not modelled.
  return w.bytes;
}

/** Memory Module Event Record Device Event Type (Table 8-59). */
export const MemoryModuleEventType = { HealthStatusChange: 0x00, MediaStatusChange: 0x01, LifeUsedChange: 0x02, TemperatureChange: 0x03 } as const;

/** Memory Module Event Record (Table 8-59): event type and the Get Health Info payload (12h bytes). */
export function memoryModuleEventRecord(o: { severity: number; eventType: number; healthInfo: Uint8Array }): Uint8Array {
  const w = record({ uuid: EventRecordUuid.MemoryModule, severity: o.severity });
  w.u8(0x30, o.eventType);
  w.set(0x31, o.healthInfo.subarray(0, 0x12));
  return w.bytes;
}
