// CXL r3.2 8.2.10.5 Logs. Every CCI serves the Command Effects Log, built from the CCI's command
// table at the moment it is read, so it always matches what dispatch does. A CCI's device may add
// logs of its own (a type 3 LD adds its Vendor Debug log) by implementing `LogSource`; the switch
// and the FM-owned LD do not, so they serve the CEL only.

import type { CciContext, CelEntry } from '../../cci/context.js';
import { ByteWriter, uuidBytes } from '../../util/bytes.js';

/** CXL r3.2 Table 8-83: Command Effects Log UUID 0da9c0b5-bf41-4b78-8f79-96b1623b3f17. */
export const CEL_UUID = uuidBytes('0da9c0b5-bf41-4b78-8f79-96b1623b3f17');

/** Get Log Capabilities parameter flags (CXL r3.2 8.2.10.5.3). Bits 31:4 are reserved. */
export const LogCapability = {
  ClearSupported: 1 << 0,
  PopulateSupported: 1 << 1,
  AutoPopulateSupported: 1 << 2,
  PersistentAcrossColdReset: 1 << 3,
} as const;

/** CEL entries are 4 bytes: u16 opcode, u16 command effect (CXL r3.2 Table 8-87). */
export function encodeCel(entries: readonly CelEntry[]): Uint8Array {
  const w = new ByteWriter(entries.length * 4);
  entries.forEach((e, i) => w.u16(i * 4, e.opcode).u16(i * 4 + 2, e.effects));
  return w.bytes;
}

/** A log a device keeps (the CEL is the CCI's own and never one of these). */
export interface DeviceLog {
  readonly uuid: Uint8Array;
  /** Current size in bytes, as Get Supported Logs reports it. */
  readonly size: number;
  /** LogCapability bits. */
  readonly capabilities: number;
  read(): Uint8Array;
  /** Present exactly when `capabilities` has ClearSupported. */
  clear?(): void;
  /** Present exactly when `capabilities` has PopulateSupported. */
  populate?(): void;
}

/** A device object that contributes logs to the CCI that serves it. */
export interface LogSource {
  deviceLogs(): readonly DeviceLog[];
}

export function isLogSource(device: unknown): device is LogSource {
  return typeof device === 'object' && device !== null && 'deviceLogs' in device && typeof device.deviceLogs === 'function';
}

export interface SupportedLog {
  readonly uuid: Uint8Array;
  readonly size: number;
  readonly capabilities: number;
  read(): Uint8Array;
  clear?(): void;
  populate?(): void;
}

/**
 * The logs a CCI serves, in the order Get Supported Logs lists them: the CEL first (a driver
 * looks for it there), then the device's logs. `device` is the command context's device.
 */
export function supportedLogs(cci: CciContext, device?: unknown): SupportedLog[] {
  const cel = encodeCel(cci.cel());
  const out: SupportedLog[] = [{ uuid: CEL_UUID, size: cel.length, capabilities: 0, read: () => cel }];
  if (isLogSource(device)) {
    for (const log of device.deviceLogs()) {
      const clear = log.clear?.bind(log);
      const populate = log.populate?.bind(log);
      out.push({
        uuid: log.uuid,
        size: log.size,
        capabilities: log.capabilities,
        read: () => log.read(),
        ...(clear && (log.capabilities & LogCapability.ClearSupported) !== 0 ? { clear } : {}),
        ...(populate && (log.capabilities & LogCapability.PopulateSupported) !== 0 ? { populate } : {}),
      });
    }
  }
  return out;
}
