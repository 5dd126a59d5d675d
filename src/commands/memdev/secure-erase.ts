// CXL r3.2 8.2.10.9.5.2 Secure Erase (Opcode 4401h): erase user data by changing the media
// encryption keys. Modelled as a background operation that disables the media while it runs and
// leaves every line reading zeros. The LSA (not user data) and the poison list (a property of
// the media, not of the keys) survive. Not abortable: a key change is all or nothing.

import { defineCommand, emptyCodec, fail, type BackgroundJob } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext, LogicalDevice } from '../../type3/logical-device.js';
import { SecurityState } from '../../type3/ld/security.js';

/** Modelled duration of the key change. */
export const SECURE_ERASE_MS = 1000;

/**
 * The key change both Secure Erase and Passphrase Secure Erase run: media disabled meanwhile, every
 * line reading zeros after. `then` runs on completion before the media comes back.
 */
export function secureEraseJob(device: LogicalDevice, then?: () => void): BackgroundJob {
  device.mediaDisabled = true;
  return {
    durationMs: SECURE_ERASE_MS,
    complete: () => {
      device.media.zero();
      device.scanMedia.reset();
      then?.();
      device.mediaDisabled = false;
      return RC.Success;
    },
  };
}

export const secureEraseCommand = defineCommand({
  opcode: 0x4401,
  name: 'Secure Erase',
  spec: 'CXL r3.2 8.2.10.9.5.2',
  input: { fixed: 0 },
  effects: Effect.DataChangeImmediate | Effect.SecurityStateChange | Effect.BackgroundOperation,
  requiresMedia: true,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }: LdContext) => {
    if (device.securityState & SecurityState.Locked) return fail(RC.InvalidSecurityState);
    return { background: secureEraseJob(device) };
  },
});
