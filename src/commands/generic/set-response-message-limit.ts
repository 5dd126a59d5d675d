// CXL r3.2 8.2.10.1.4 Set Response Message Limit (Opcode 0004h). The caller asks for 2^n bytes
// (n in 8..20); the component takes the smaller of that and what it can do, and answers with the
// limit now in force.

import { defineCommand, ok, fail } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { messageLimitCodec } from './get-response-message-limit.js';

const MIN_LOG2 = 8;
const MAX_LOG2 = 20;

export const setResponseMessageLimitCommand = defineCommand({
  opcode: 0x0004,
  name: 'Set Response Message Limit',
  spec: 'CXL r3.2 8.2.10.1.4',
  input: { fixed: 1 },
  effects: Effect.ConfigChangeImmediate,
  request: messageLimitCodec,
  response: messageLimitCodec,
  handle: (n, { cci }) => {
    if (n < MIN_LOG2 || n > MAX_LOG2) return fail(RC.InvalidInput);
    cci.responseLimitLog2 = Math.max(cci.minResponseLimitLog2, Math.min(n, cci.maxResponseLimitLog2));
    return ok(cci.responseLimitLog2);
  },
});
