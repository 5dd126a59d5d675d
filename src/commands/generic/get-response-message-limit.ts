// CXL r3.2 8.2.10.1.3 Get Response Message Limit (Opcode 0003h).

import { defineCommand, emptyCodec, ok, type Codec } from '../../cci/command.js';

/** One byte: the limit as n, meaning 2^n bytes. */
export const messageLimitCodec: Codec<number> = {
  schema: { fields: [{ name: 'limitLog2', spec: 'Response Message Limit', at: 0, type: 'u8', unit: 'log2 bytes', doc: 'the limit is 2^n bytes (8..20)' }], unwrap: 'limitLog2' },
  decode: (b) => (b.length === 1 ? { ok: true, value: b[0] ?? 0 } : { ok: false, rc: 0x16 }),
  encode: (n) => Uint8Array.of(n & 0xff),
};

export const getResponseMessageLimitCommand = defineCommand({
  opcode: 0x0003,
  name: 'Get Response Message Limit',
  spec: 'CXL r3.2 8.2.10.1.3',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: messageLimitCodec,
  handle: (_req, { cci }) => ok(cci.responseLimitLog2),
});
