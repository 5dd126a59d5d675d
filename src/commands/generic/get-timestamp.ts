// CXL r3.2 8.2.10.4.1 Get Timestamp (Opcode 0300h): nanoseconds since midnight 1 Jan 1970 as last
// set by Set Timestamp plus the time elapsed since; 0 until it has been set.

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';

export const timestampCodec: Codec<bigint> = {
  schema: { fields: [{ name: 'timestamp', spec: 'Timestamp', at: 0, type: 'u64', unit: 'ns since 1970-01-01 UTC' }], unwrap: 'timestamp' },
  decode: (b) => (b.length === 8 ? { ok: true, value: new ByteReader(b).u64(0) } : { ok: false, rc: 0x16 }),
  encode: (ns) => new ByteWriter(8).u64(0, ns).bytes,
};

export const getTimestampCommand = defineCommand({
  opcode: 0x0300,
  name: 'Get Timestamp',
  spec: 'CXL r3.2 8.2.10.4.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: timestampCodec,
  handle: (_req, { cci }) => ok(cci.getTimestamp()),
});
