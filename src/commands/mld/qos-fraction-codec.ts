// Per-LD bandwidth fraction payloads of the QoS BW commands (CXL r3.2 7.6.7.4.7-7.6.7.4.10):
//   request of a Get:       0 u8 number of LDs, 1 u8 start LD ID
//   Set request / any response: 0 u8 number of LDs, 1 u8 start LD ID, 2 u8 fraction[number of LDs]
// Each fraction is in 1/256 units.

import { decoded, fail, invalid, ok, type Codec, type CommandResult } from '../../cci/command.js';
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
  schema: {
    fields: [
      { name: 'count', spec: 'Number of LDs', at: 0, type: 'u8' },
      { name: 'startLd', spec: 'Start LD ID', at: 1, type: 'u8' },
    ],
  },
  decode: (b) => (b.length === 2 ? decoded({ count: b[0] ?? 0, startLd: b[1] ?? 0 }) : invalid(RC.InvalidPayloadLength)),
  encode: (q) => new ByteWriter(2).u8(0, q.count).u8(1, q.startLd).bytes,
};

export const qosFractionsCodec: Codec<QosFractions> = {
  schema: {
    fields: [
      { name: 'count', spec: 'Number of LDs', at: 0, type: 'u8', countOf: 'fractions' },
      { name: 'startLd', spec: 'Start LD ID', at: 1, type: 'u8' },
      { name: 'fractions', spec: 'QoS Allocation Fraction / BW Limit Fraction, one byte per LD', at: 2, type: 'bytes', length: 'rest', maxLength: 16, doc: 'each byte is a fraction in 1/256 units' },
    ],
  },
  decode: (b) => {
    if (b.length < 2) return invalid(RC.InvalidPayloadLength);
    const count = b[0] ?? 0;
    // The array length is fixed by the Number of LDs field.
    if (b.length !== 2 + count) return invalid(RC.InvalidPayloadLength);
    return decoded({ startLd: b[1] ?? 0, fractions: b.slice(2) });
  },
  encode: (v) => new ByteWriter(2 + v.fractions.length).u8(0, v.fractions.length).u8(1, v.startLd).set(2, v.fractions).bytes,
};

/**
 * The body both Set QoS Allocated BW and Set QoS BW Limit run on their own table: check the whole
 * range first (no partial change), store, answer with the values now in force.
 */
export function setFractions(qos: { checkRange(start: number, count: number): number | undefined }, table: Uint8Array, req: QosFractions): CommandResult<QosFractions> {
  const count = req.fractions.length;
  const rc = qos.checkRange(req.startLd, count);
  if (rc !== undefined) return fail(rc);
  table.set(req.fractions, req.startLd);
  return ok({ startLd: req.startLd, fractions: table.slice(req.startLd, req.startLd + count) });
}
