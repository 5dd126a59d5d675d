// CXL r3.2 8.2.10.9.6.4 Unlock (Opcode 4503h): give the user passphrase to a locked LD so its
// persistent media becomes accessible until the next conventional reset.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { passphraseCodec } from './passphrase-payload.js';

export const unlockCommand = defineCommand({
  opcode: 0x4503,
  name: 'Unlock',
  spec: 'CXL r3.2 8.2.10.9.6.4',
  input: { fixed: 0x20 },
  effects: Effect.SecurityStateChange,
  request: passphraseCodec,
  response: emptyCodec,
  handle: (passphrase, { device }: LdContext) => {
    const rc = device.security.unlock(passphrase);
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
