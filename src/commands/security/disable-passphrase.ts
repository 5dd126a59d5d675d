// CXL r3.2 8.2.10.9.6.3 Disable Passphrase (Opcode 4502h): remove the user or master passphrase,
// given the passphrase itself. Rules in SecurityModel.disablePassphrase.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { typedPassphraseCodec } from './passphrase-payload.js';

export const disablePassphraseCommand = defineCommand({
  opcode: 0x4502,
  name: 'Disable Passphrase',
  spec: 'CXL r3.2 8.2.10.9.6.3',
  input: { fixed: 0x40 },
  effects: Effect.SecurityStateChange,
  request: typedPassphraseCodec,
  response: emptyCodec,
  handle: (req, { device }: LdContext) => {
    const rc = device.security.disablePassphrase(req.type, req.passphrase);
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
