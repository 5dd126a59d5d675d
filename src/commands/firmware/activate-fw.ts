// CXL r3.2 8.2.10.3.3 Activate FW (Opcode 0202h): run the firmware in a slot now (online) or from
// the next reset of any kind its CEL entry lists: cold, conventional or CXL (staged).

import { decoded, defineCommand, emptyCodec, fail, invalid, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { ByteWriter } from '../../util/bytes.js';
import { requestCodec } from '../memdev/codecs.js';

export const ActivateAction = { Online: 0, OnColdReset: 1 } as const;

export interface ActivateFwRequest {
  readonly action: number;
  readonly slot: number;
}

export const activateFwCommand = defineCommand({
  opcode: 0x0202,
  name: 'Activate FW',
  spec: 'CXL r3.2 8.2.10.3.3',
  input: { fixed: 2 },
  // r3.2 lists Background Operation and Request Abort too, because a device may activate in the
  // background; this one always completes in the foreground, so its CEL does not claim them (a CEL
  // lists the effects the command can have on this device, CXL r3.2 8.2.10.5.2.1).
  effects: CONFIG_AFTER_ANY_RESET | Effect.ConfigChangeImmediate,
  request: requestCodec<ActivateFwRequest>(
    (r) => {
      const action = r.u8(0);
      if (action > ActivateAction.OnColdReset) return invalid();
      return decoded({ action, slot: r.u8(1) });
    },
    (v) => new ByteWriter(2).u8(0, v.action).u8(1, v.slot).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'action', spec: 'Action', at: 0, type: 'u8', enum: { 0: 'Online', 1: 'On next cold reset' }, max: 1 },
        { name: 'slot', spec: 'Slot', at: 1, type: 'u8' },
      ],
    },
  },
  handle: (req, { device }: LdContext) => {
    const fw = device.firmware;
    if (fw.transfer) return fail(RC.FwTransferInProgress);
    // The slot must hold firmware and must not be the one already running.
    if (!fw.hasFirmware(req.slot) || req.slot === fw.active) return fail(RC.InvalidSlot);
    if (req.action === ActivateAction.Online) {
      if (!fw.onlineActivation) return fail(RC.InvalidInput);
      fw.active = req.slot;
      fw.staged = 0;
    } else {
      fw.staged = req.slot;
    }
    return ok(undefined);
  },
});
