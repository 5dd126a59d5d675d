// MMPT message framing (PCIe r6.3 6.36.1; project decision 3, shared/reference/README.md). The
// ECN's payload formats are not public; our interpretation, kept in this one module:
//   a management message = 1 byte message type (as in the MCTP bindings) + 12-byte CCI header +
//   payload. Type 0x07 carries FM-API (DSP0234), type 0x08 carries the CXL CCI command sets
//   (DSP0281). As in those bindings, command sets 51h-56h travel only as type 0x07 and every other
//   set only as type 0x08; a mismatch is answered Unsupported.

export const MessageType = { FmApi: 0x07, CxlCci: 0x08 } as const;

export function isFmApiOpcode(opcode: number): boolean {
  const set = opcode >> 8;
  return set >= 0x51 && set <= 0x56;
}

/** The message type a command must travel under. */
export function messageTypeFor(opcode: number): number {
  return isFmApiOpcode(opcode) ? MessageType.FmApi : MessageType.CxlCci;
}
