// The Command Effects Log a mailbox driver reads at attach (CXL r3.2 8.2.10.5): what the device
// says it supports, with the effects of each opcode. Any failure is a DriverError: a device that
// cannot list its commands cannot be driven safely. The host driver's fabric walk reads the CELs
// behind tunnels with the same function (fabric-reads.ts).

import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter, bytesEqual, uuidBytes } from '../../util/bytes.js';
import { DriverError } from './errors.js';
import type { MailboxResult } from './mailbox-types.js';

/** The CEL's log UUID (CXL r3.2 Table 8-71), restated on the host side on purpose (registers.ts). */
export const CEL_UUID = uuidBytes('0da9c0b5-bf41-4b78-8f79-96b1623b3f17');

/** The device answered, but not with a CEL (a return code, or no CEL listed): a device's answer, not a transport fault. */
export class CelUnreadable extends DriverError {}

/** CXL r3.2 8.2.10.5: find the CEL with Get Supported Logs, then read it with Get Log in chunks. */
export async function readCel(send: (opcode: number, payload?: Uint8Array) => Promise<Pick<MailboxResult, 'rc' | 'rcName' | 'payload'>>, payloadSize: number): Promise<Map<number, number>> {
  const logs = await send(0x0400);
  if (logs.rc !== RC.Success) throw new CelUnreadable(`Get Supported Logs failed: ${logs.rcName}`);
  const r = new ByteReader(logs.payload);
  const count = r.u16(0);
  let size: number | undefined;
  for (let i = 0; i < count; i++) {
    const base = 8 + i * 20;
    if (!r.fits(base, 20)) break;
    if (bytesEqual(r.slice(base, 16), CEL_UUID)) size = r.u32(base + 16);
  }
  if (size === undefined) throw new CelUnreadable('device lists no Command Effects Log');
  const cel = new Map<number, number>();
  for (let offset = 0; offset < size; ) {
    const len = Math.min(payloadSize, size - offset);
    const req = new ByteWriter(0x18).set(0, CEL_UUID).u32(0x10, offset).u32(0x14, len).bytes;
    const res = await send(0x0401, req);
    if (res.rc !== RC.Success) throw new CelUnreadable(`Get Log (CEL) at offset ${offset} failed: ${res.rcName}`);
    if (res.payload.length === 0) break;
    const e = new ByteReader(res.payload);
    for (let i = 0; i + 4 <= res.payload.length; i += 4) cel.set(e.u16(i), e.u16(i + 2));
    offset += res.payload.length;
  }
  return cel;
}
