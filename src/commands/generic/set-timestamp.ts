// CXL r3.2 8.2.10.4.2 Set Timestamp (Opcode 0301h). Works on the switch CCI too (QEMU's handler
// assumes a type 3 owner there; reference decision 1).

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { timestampCodec } from './get-timestamp.js';

export const setTimestampCommand = defineCommand({
  opcode: 0x0301,
  name: 'Set Timestamp',
  spec: 'CXL r3.2 8.2.10.4.2',
  input: { fixed: 8 },
  effects: Effect.PolicyChangeImmediate,
  request: timestampCodec,
  response: emptyCodec,
  handle: (ns, { cci }) => {
    cci.setTimestamp(ns);
    return ok(undefined);
  },
});
