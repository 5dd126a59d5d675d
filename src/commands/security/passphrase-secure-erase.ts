// CXL r3.2 8.2.10.9.6.6 Passphrase Secure Erase (Opcode 4505h): Secure Erase (8.2.10.9.5.2)
// authorised by a passphrase, which also works on a locked LD: the way back for a host that lost
// the user passphrase but holds the master one. The passphrase is checked before anything starts
// (a wrong one is Incorrect Passphrase and consumes an attempt); the erase then runs in the
// background like Secure Erase, media disabled, and on completion the media reads zeros, the user
// passphrase is gone and the LD is unlocked. The LSA and the poison list survive, as for Secure
// Erase. Not abortable: a key change is all or nothing.

import { defineCommand, emptyCodec, fail } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { SECURE_ERASE_MS, secureEraseJob } from '../memdev/secure-erase.js';
import { typedPassphraseCodec } from './passphrase-payload.js';

/** Modelled duration of the key change: the same job as Secure Erase. */
export const PASSPHRASE_SECURE_ERASE_MS = SECURE_ERASE_MS;

export const passphraseSecureEraseCommand = defineCommand({
  opcode: 0x4505,
  name: 'Passphrase Secure Erase',
  spec: 'CXL r3.2 8.2.10.9.6.6',
  input: { fixed: 0x40 },
  effects: Effect.DataChangeImmediate | Effect.SecurityStateChange | Effect.BackgroundOperation,
  requiresMedia: true,
  request: typedPassphraseCodec,
  response: emptyCodec,
  handle: (req, { device }: LdContext) => {
    const rc = device.security.authorizeSecureErase(req.type, req.passphrase);
    if (rc !== RC.Success) return fail(rc);
    return { background: secureEraseJob(device, () => device.security.secureErased()) };
  },
});
