// CXL r3.2 8.2.10.9.3.4 Get Shutdown State (Opcode 4203h): bit 0 = dirty.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { encodeOnly } from './codecs.js';

export const getShutdownStateCommand = defineCommand({
  opcode: 0x4203,
  name: 'Get Shutdown State',
  spec: 'CXL r3.2 8.2.10.9.3.4',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<boolean>((dirty) => Uint8Array.of(dirty ? 1 : 0)),
  fields: { response: { fields: [{ name: 'dirty', spec: 'Shutdown State: Dirty', at: 0, type: 'u8', bits: [0, 0], as: 'boolean' }], unwrap: 'dirty' } },
  handle: (_req, { device }: LdContext) => ok(device.dirtyShutdown),
});
