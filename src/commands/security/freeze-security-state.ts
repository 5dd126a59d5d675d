// CXL r3.2 8.2.10.9.6.5 Freeze Security State (Opcode 4504h): no further security state changes
// until the next conventional reset. Freezing a frozen LD succeeds: the state asked for holds.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import type { LdContext } from '../../type3/logical-device.js';

export const freezeSecurityStateCommand = defineCommand({
  opcode: 0x4504,
  name: 'Freeze Security State',
  spec: 'CXL r3.2 8.2.10.9.6.5',
  input: { fixed: 0 },
  effects: Effect.SecurityStateChange,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }: LdContext) => {
    device.security.freeze();
    return ok(undefined);
  },
});
