// CXL r3.2 8.2.10.5.3 Get Log Capabilities (Opcode 0402h): what a host may do with one log.
//   in: 0 UUID[16]; out: 0 u32 parameter flags (logs.ts LogCapability).
// A UUID this CCI does not serve is Invalid Log, as for Get Log.

import { defineCommand, fail, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter, bytesEqual } from '../../util/bytes.js';
import { supportedLogs } from './logs.js';

/** The 16-byte Log Identifier payload shared by Get Log Capabilities and Clear Log. */
export const logUuidCodec: Codec<Uint8Array> = {
  schema: { fields: [{ name: 'uuid', spec: 'Log Identifier', at: 0, type: 'bytes', length: 16, uuid: true }], unwrap: 'uuid' },
  decode: (b) => (b.length === 16 ? { ok: true, value: new ByteReader(b).slice(0, 16) } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (uuid) => new ByteWriter(16).set(0, uuid).bytes,
};

export const logCapabilitiesCodec: Codec<number> = {
  schema: {
    fields: [
      {
        name: 'capabilities', spec: 'Parameter Flags', at: 0, type: 'u32',
        flags: { 0: 'Clear Log Supported', 1: 'Populate Log Supported', 2: 'Auto Populate Supported', 3: 'Persistent across Cold Reset' },
      },
    ],
    unwrap: 'capabilities',
  },
  decode: (b) => (b.length === 4 ? { ok: true, value: new ByteReader(b).u32(0) } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (flags) => new ByteWriter(4).u32(0, flags).bytes,
};

export const getLogCapabilitiesCommand = defineCommand({
  opcode: 0x0402,
  name: 'Get Log Capabilities',
  spec: 'CXL r3.2 8.2.10.5.3',
  input: { fixed: 16 },
  effects: 0,
  request: logUuidCodec,
  response: logCapabilitiesCodec,
  handle: (uuid, { cci, device }) => {
    const log = supportedLogs(cci, device).find((l) => bytesEqual(l.uuid, uuid));
    return log ? ok(log.capabilities) : fail(RC.InvalidLog);
  },
});
