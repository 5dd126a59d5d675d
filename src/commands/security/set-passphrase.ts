// CXL r3.2 8.2.10.9.6.2 Set Passphrase (Opcode 4501h): set or change the user or master
// passphrase. Once a user passphrase is set the LD locks its persistent media at every
// conventional reset until Unlock. The rules live in SecurityModel.setPassphrase.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { setPassphraseCodec } from './passphrase-payload.js';

export const setPassphraseCommand = defineCommand({
  opcode: 0x4501,
  name: 'Set Passphrase',
  spec: 'CXL r3.2 8.2.10.9.6.2',
  input: { fixed: 0x60 },
  effects: Effect.SecurityStateChange,
  request: setPassphraseCodec,
  response: emptyCodec,
  handle: (req, { device }: LdContext) => {
    const rc = device.security.setPassphrase(req.type, req.current, req.next);
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
