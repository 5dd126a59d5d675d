// CXL r3.2 8.2.9.5 Logs. The only log a CCI serves here is the Command Effects Log, built from the
// CCI's command table at the moment it is read, so it always matches what dispatch does.

import type { CciContext, CelEntry } from '../../cci/context.js';
import { ByteWriter, uuidBytes } from '../../util/bytes.js';

/** CXL r3.2 Table 8-83: Command Effects Log UUID 0da9c0b5-bf41-4b78-8f79-96b1623b3f17. */
export const CEL_UUID = uuidBytes('0da9c0b5-bf41-4b78-8f79-96b1623b3f17');

/** CEL entries are 4 bytes: u16 opcode, u16 command effect (CXL r3.2 Table 8-87). */
export function encodeCel(entries: readonly CelEntry[]): Uint8Array {
  const w = new ByteWriter(entries.length * 4);
  entries.forEach((e, i) => w.u16(i * 4, e.opcode).u16(i * 4 + 2, e.effects));
  return w.bytes;
}

export interface SupportedLog {
  readonly uuid: Uint8Array;
  readonly size: number;
  read(): Uint8Array;
}

export function supportedLogs(cci: CciContext): SupportedLog[] {
  const cel = encodeCel(cci.cel());
  return [{ uuid: CEL_UUID, size: cel.length, read: () => cel }];
}
