// CXL r3.2 8.2.10.1.4 Set Response Message Limit (Opcode 0004h). The caller asks for 2^n bytes
// (n in 8..10, the field's range: anything else is Invalid Input); the component takes the smaller
// of that and its message size, and answers with the limit now in force (src/cci/message-size.ts).
// Effects: r3.2 lists none, and the CEL says so; the host filter pins it to the write class
// (src/host/policy/pinned.ts) because the limit applies to every client of the CCI.

import { defineCommand, ok, fail } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { MAX_MESSAGE_SIZE_LOG2, MIN_MESSAGE_SIZE_LOG2 } from '../../cci/message-size.js';
import { messageLimitCodec } from './get-response-message-limit.js';

export const setResponseMessageLimitCommand = defineCommand({
  opcode: 0x0004,
  name: 'Set Response Message Limit',
  spec: 'CXL r3.2 8.2.10.1.4',
  input: { fixed: 1 },
  effects: 0,
  request: messageLimitCodec,
  response: messageLimitCodec,
  handle: (n, { cci }) => {
    if (n < MIN_MESSAGE_SIZE_LOG2 || n > MAX_MESSAGE_SIZE_LOG2) return fail(RC.InvalidInput);
    cci.responseLimitLog2 = Math.max(cci.minResponseLimitLog2, Math.min(n, cci.maxResponseLimitLog2));
    return ok(cci.responseLimitLog2);
  },
});
