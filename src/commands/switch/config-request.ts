// The 3-byte request field shared by Send PPB CXL.io Configuration Request (CXL r3.2 7.6.7.1.4,
// Table 7-21) and Send LD CXL.io Configuration Request (7.6.7.3.2, Table 7-39):
//   bits 7:0   Register Number, bits 11:8 Extended Register Number
//   bits 15:12 First Dword Byte Enable, bits 22:16 reserved, bit 23 Transaction Type (1 = write)
// Our reading: bits 11:0 together are the byte address of the dword in the 4 KiB config space
// (8 + 4 bits span exactly 4 KiB); bits 1:0 are ignored, as in a PCIe CfgRd/CfgWr TLP, whose
// address is dword-granular and whose byte enables pick the bytes.

import type { ConfigSpaceAccess } from '../../model/downstream.js';

export interface ConfigRequest {
  /** Dword-aligned byte offset in config space. */
  readonly offset: number;
  /** First Dword Byte Enable, bit n = byte n of the dword. */
  readonly byteEnables: number;
  readonly write: boolean;
  /** Write data (ignored for reads). */
  readonly data: number;
}

export function decodeConfigField(field: number, data: number): ConfigRequest {
  return {
    offset: (((field >>> 8) & 0xf) << 8) | (field & 0xfc),
    byteEnables: (field >>> 12) & 0xf,
    write: (field & (1 << 23)) !== 0,
    data: data >>> 0,
  };
}

export function encodeConfigField(req: Pick<ConfigRequest, 'offset' | 'byteEnables' | 'write'>): number {
  return (req.offset & 0xfc) | (((req.offset >>> 8) & 0xf) << 8) | ((req.byteEnables & 0xf) << 12) | (req.write ? 1 << 23 : 0);
}

/**
 * Carry out the request: a read returns the dword with the bytes not enabled as zero; a write
 * stores only the enabled bytes (one byte at a time, so no disabled byte is touched) and returns 0.
 */
export function performConfigRequest(space: ConfigSpaceAccess, req: ConfigRequest): number {
  if (req.write) {
    for (let i = 0; i < 4; i++) {
      if (req.byteEnables & (1 << i)) space.write(req.offset + i, 1, (req.data >>> (8 * i)) & 0xff);
    }
    return 0;
  }
  const v = space.read(req.offset, 4);
  let mask = 0;
  for (let i = 0; i < 4; i++) if (req.byteEnables & (1 << i)) mask |= 0xff << (8 * i);
  return (v & mask) >>> 0;
}
