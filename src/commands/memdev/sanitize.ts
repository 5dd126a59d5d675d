// CXL r3.2 8.2.10.9.5.1 Sanitize (Opcode 4400h): erase all user data and metadata in the
// background. The media is disabled from the start: other media commands answer Media Disabled.
// On completion media and LSA read as zeros, the poison list and scan results are gone and the
// media is enabled again. An aborted sanitize leaves the data in an unknown state, so the media
// stays disabled until a sanitize completes (Sanitize itself does not require the media for that
// reason).

import { defineCommand, emptyCodec, fail } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { SecurityState } from '../../type3/ld/security.js';
import { CAPACITY_UNIT } from '../../type3/ld/units.js';

/** Modelled duration: 2 s, plus 1 s per 256 MiB of capacity. */
export function sanitizeDurationMs(capacityBytes: bigint): number {
  return 2000 + Number(capacityBytes / CAPACITY_UNIT) * 1000;
}

export const sanitizeCommand = defineCommand({
  opcode: 0x4400,
  name: 'Sanitize',
  spec: 'CXL r3.2 8.2.10.9.5.1',
  input: { fixed: 0 },
  effects: Effect.DataChangeImmediate | Effect.SecurityStateChange | Effect.BackgroundOperation | Effect.RequestAbortSupported,
  request: emptyCodec,
  response: emptyCodec,
  handle: (_req, { device }: LdContext) => {
    // A locked device cannot be sanitized until unlocked (CXL r3.2 8.2.10.9.6).
    if (device.securityState & SecurityState.Locked) return fail(RC.InvalidSecurityState);
    device.mediaDisabled = true;
    return {
      background: {
        durationMs: sanitizeDurationMs(device.capacityBytes),
        complete: () => {
          device.media.zero();
          device.lsa.fill(0);
          device.poison.reset();
          device.scanMedia.reset();
          device.mediaDisabled = false;
          return RC.Success;
        },
        abort: () => {
          // Media stays disabled: see the file comment.
        },
      },
    };
  },
});
