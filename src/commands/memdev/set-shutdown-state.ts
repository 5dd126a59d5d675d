// CXL r3.2 8.2.10.9.3.5 Set Shutdown State (Opcode 4204h): the host marks the shutdown state dirty
// while persistent data may be in flight and clean after a clean shutdown; a state still dirty at
// the next power-up increments the Dirty Shutdown Count (LogicalDevice.reset).

import { decoded, defineCommand, emptyCodec, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import type { LdContext } from '../../type3/logical-device.js';
import { requestCodec } from './codecs.js';

export const setShutdownStateCommand = defineCommand({
  opcode: 0x4204,
  name: 'Set Shutdown State',
  spec: 'CXL r3.2 8.2.10.9.3.5',
  input: { fixed: 1 },
  effects: Effect.PolicyChangeImmediate,
  request: requestCodec<boolean>(
    // Bit 0 = dirty; bits 7:1 reserved (ignored).
    (r) => decoded((r.u8(0) & 1) === 1),
    (dirty) => Uint8Array.of(dirty ? 1 : 0),
  ),
  response: emptyCodec,
  fields: { request: { fields: [{ name: 'dirty', spec: 'Shutdown State: Dirty', at: 0, type: 'u8', bits: [0, 0], as: 'boolean' }], unwrap: 'dirty' } },
  handle: (dirty, { device }: LdContext) => {
    device.dirtyShutdown = dirty;
    return ok(undefined);
  },
});
