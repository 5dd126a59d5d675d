// CXL r3.2 8.2.10.3.1 Get FW Info (Opcode 0200h): slot count, active and staged slots, activation
// capabilities and each slot's revision string.

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { LdContext } from '../../type3/logical-device.js';
import { FW_REVISION_BYTES } from '../../type3/ld/firmware-slots.js';
import { asciiField, ByteWriter } from '../../util/bytes.js';
import { encodeOnly } from '../memdev/codecs.js';

export interface GetFwInfoResponse {
  readonly slotCount: number;
  readonly active: number;
  readonly staged: number;
  readonly onlineActivation: boolean;
  /** Up to 4 revision strings, '' for an empty slot. */
  readonly revisions: readonly string[];
}

export const getFwInfoCommand = defineCommand({
  opcode: 0x0200,
  name: 'Get FW Info',
  spec: 'CXL r3.2 8.2.10.3.1',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: encodeOnly<GetFwInfoResponse>((v) => {
    const w = new ByteWriter(0x50)
      .u8(0, v.slotCount)
      // FW Slot Info: bits 2:0 active slot, bits 5:3 slot staged for the next cold reset.
      .u8(1, (v.active & 0x7) | ((v.staged & 0x7) << 3))
      .u8(2, v.onlineActivation ? 1 : 0);
    v.revisions.slice(0, 4).forEach((rev, i) => w.set(0x10 + i * FW_REVISION_BYTES, asciiField(rev, FW_REVISION_BYTES)));
    return w.bytes;
  }),
  fields: {
    response: {
      fields: [
        { name: 'slotCount', spec: 'FW Slots Supported', at: 0, type: 'u8' },
        { name: 'active', spec: 'FW Slot Info: Active FW Slot', at: 1, type: 'u8', bits: [0, 2] },
        { name: 'staged', spec: 'FW Slot Info: Staged FW Slot', at: 1, type: 'u8', bits: [3, 5], doc: '0: none staged' },
        { name: 'onlineActivation', spec: 'FW Activation Capabilities: Online FW Activation', at: 2, type: 'u8', bits: [0, 0], as: 'boolean' },
        { name: 'slot1Revision', spec: 'Slot 1 FW Revision', at: 0x10, type: 'ascii', length: FW_REVISION_BYTES },
        { name: 'slot2Revision', spec: 'Slot 2 FW Revision', at: 0x20, type: 'ascii', length: FW_REVISION_BYTES },
        { name: 'slot3Revision', spec: 'Slot 3 FW Revision', at: 0x30, type: 'ascii', length: FW_REVISION_BYTES },
        { name: 'slot4Revision', spec: 'Slot 4 FW Revision', at: 0x40, type: 'ascii', length: FW_REVISION_BYTES },
      ],
      toCodec: (r) => ({ ...r, revisions: [r['slot1Revision'], r['slot2Revision'], r['slot3Revision'], r['slot4Revision']] }),
    },
  },
  handle: (_req, { device }: LdContext) => {
    const fw = device.firmware;
    return ok({ slotCount: fw.slotCount, active: fw.active, staged: fw.staged, onlineActivation: fw.onlineActivation, revisions: [...fw.revisions] });
  },
});
