// Per-LD bandwidth fraction payloads of the QoS BW commands (CXL r3.2 7.6.7.4.7-7.6.7.4.10):
//   request of a Get:       0 u8 number of LDs, 1 u8 start LD ID
//   Set request / any response: 0 u8 number of LDs, 1 u8 start LD ID, 2 u8 fraction[number of LDs]
// Each fraction is in 1/256 units.

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteWriter } from '../../util/bytes.js';

export interface QosRangeRequest {
  readonly count: number;
  readonly startLd: number;
}

export interface QosFractions {
  readonly startLd: number;
  readonly fractions: Uint8Array;
}

export const qosRangeRequestCodec: Codec<QosRangeRequest> = {
  decode: (b) => (b.length === 2 ? decoded({ count: b[0] ?? 0, startLd: b[1] ?? 0 }) : invalid(RC.InvalidPayloadLength)),
  encode: (q) => new ByteWriter(2).u8(0, q.count).u8(1, q.startLd).bytes,
};

export const qosFractionsCodec: Codec<QosFractions> = {
  decode: (b) => {
    if (b.length < 2) return invalid(RC.InvalidPayloadLength);
    const count = b[0] ?? 0;
    // The array length is fixed by the Number of LDs field.
    if (b.length !== 2 + count) return invalid(RC.InvalidPayloadLength);
    return decoded({ startLd: b[1] ?? 0, fractions: b.slice(2) });
  },
  encode: (v) => new ByteWriter(2 + v.fractions.length).u8(0, v.fractions.length).u8(1, v.startLd).set(2, v.fractions).bytes,
};
