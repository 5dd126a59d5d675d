// CXL r3.2 8.2.10.9.6.1 Get Security State (Opcode 4500h): passphrase, lock and freeze state.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from './codecs.js';

export const getSecurityStateCommand = defineCommand({
  opcode: 0x4500,
  name: 'Get Security State',
  spec: 'CXL r3.2 8.2.10.9.6.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<number>((state) => new ByteWriter(4).u32(0, state).bytes),
  fields: {
    response: {
      fields: [
        { name: 'state', spec: 'Security State', at: 0, type: 'u32', flags: { 0: 'User Passphrase Set', 1: 'Master Passphrase Set', 2: 'Locked', 3: 'Frozen', 4: 'User Passphrase Attempt Count Reached', 5: 'Master Passphrase Attempt Count Reached' } },
      ],
      unwrap: 'state',
    },
  },
  handle: (_req, { device }: LdContext) => ok(device.securityState),
});
