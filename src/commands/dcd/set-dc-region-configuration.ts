// CXL r3.2 7.6.7.6.3 Set DC Region Configuration (Opcode 5602h).
//   in (0x10): 0 u8 region ID, 1 rsvd[3], 4 u64 block size, 0xc u8 flags (bit 0 sanitize on
//              release), 0xd rsvd[3]
// A region already handing out capacity keeps its block size (Unsupported); every host gets a
// Region Configuration Updated event.

import { decoded, defineCommand, emptyCodec, fail, invalid, ok, type Codec } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import { dcdOf } from '../../type3/dynamic-capacity.js';

export interface SetDcRegionConfigRequest {
  readonly region: number;
  readonly blockSize: bigint;
  readonly sanitizeOnRelease: boolean;
}

export const setDcRegionConfigRequestCodec: Codec<SetDcRegionConfigRequest> = {
  schema: {
    fields: [
      { name: 'region', spec: 'Region ID', at: 0, type: 'u8' },
      { name: 'blockSize', spec: 'Block Size', at: 4, type: 'u64', unit: 'bytes' },
      { name: 'sanitizeOnRelease', spec: 'Flags: Sanitize on Release', at: 0x0c, type: 'u8', bits: [0, 0], as: 'boolean' },
    ],
    size: 0x10,
  },
  decode: (b) => {
    if (b.length !== 0x10) return invalid(RC.InvalidPayloadLength);
    const r = new ByteReader(b);
    return decoded({ region: r.u8(0), blockSize: r.u64(4), sanitizeOnRelease: (r.u8(0x0c) & 1) !== 0 });
  },
  encode: (q) => new ByteWriter(0x10).u8(0, q.region).u64(4, q.blockSize).u8(0x0c, q.sanitizeOnRelease ? 1 : 0).bytes,
};

export const setDcRegionConfigurationCommand = defineCommand<unknown, SetDcRegionConfigRequest, void>({
  opcode: 0x5602,
  name: 'Set DC Region Configuration',
  spec: 'CXL r3.2 7.6.7.6.3',
  input: { fixed: 0x10 },
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate | Effect.DataChangeImmediate,
  request: setDcRegionConfigRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const dcd = dcdOf(device);
    if (!dcd) return fail(RC.Unsupported);
    const rc = dcd.setRegionConfig(req.region, req.blockSize, req.sanitizeOnRelease);
    return rc === undefined ? ok(undefined) : fail(rc);
  },
});
