// CXL r3.2 8.2.10.1.2 Background Operation Status (Opcode 0002h): the same facts as the mailbox's
// Background Command Status register, for CCIs that have no registers (MCTP, tunnels).

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import type { BackgroundStatus } from '../../cci/context.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const backgroundStatusCodec: Codec<BackgroundStatus> = {
  schema: {
    fields: [
      { name: 'running', spec: 'Background Operation Status: Operation In Progress', at: 0, type: 'u8', bits: [0, 0], as: 'boolean' },
      { name: 'percent', spec: 'Background Operation Status: Percentage Complete', at: 0, type: 'u8', bits: [1, 7], unit: '%' },
      { name: 'opcode', spec: 'Command Opcode', at: 2, type: 'u16', doc: 'the last background command run' },
      { name: 'rc', spec: 'Return Code', at: 4, type: 'u16', doc: 'its return code, once finished' },
      { name: 'vendorStatus', spec: 'Vendor Specific Extended Status', at: 6, type: 'u16' },
    ],
  },
  decode: (b) => {
    if (b.length !== 8) return { ok: false, rc: 0x16 };
    const r = new ByteReader(b);
    return {
      ok: true,
      value: {
        running: (r.u8(0) & 1) === 1,
        percent: (r.u8(0) >> 1) & 0x7f,
        opcode: r.u16(2),
        rc: r.u16(4),
        vendorStatus: r.u16(6),
      },
    };
  },
  // byte 0: bit 0 background operation in progress, bits 7:1 percentage complete
  encode: (s) =>
    new ByteWriter(8)
      .u8(0, ((s.percent & 0x7f) << 1) | (s.running ? 1 : 0))
      .u16(2, s.opcode)
      .u16(4, s.rc)
      .u16(6, s.vendorStatus).bytes,
};

export const backgroundOperationStatusCommand = defineCommand({
  opcode: 0x0002,
  name: 'Background Operation Status',
  spec: 'CXL r3.2 8.2.10.1.2',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: backgroundStatusCodec,
  handle: (_req, { cci }) => ok(cci.background()),
});
