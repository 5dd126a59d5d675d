// CXL r3.2 7.6.7.2.3 Unbind vPPB (Opcode 5202h): release a vPPB's port or LD. A background
// operation like Bind vPPB; the Unbind Option (wait for link down, simulated managed or surprise
// hot-remove) sets how long it takes. Bits 7:4 of the option byte are reserved and ignored.

import { UNBIND_OPTION } from '../../cci/schema-enums.js';
import { defineCommand, emptyCodec, failWithHint, type Codec } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { UNBIND_DURATION_MS } from '../../switch/switch.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SwitchCciDevice } from '../switch/device.js';

export interface UnbindVppbRequest {
  readonly vcsId: number;
  readonly vppbId: number;
  readonly option: number;
}

export const unbindVppbRequestCodec: Codec<UnbindVppbRequest> = {
  schema: {
    fields: [
      { name: 'vcsId', spec: 'Virtual CXL Switch ID', at: 0, type: 'u8' },
      { name: 'vppbId', spec: 'vPPB ID', at: 1, type: 'u8' },
      { name: 'option', spec: 'Unbind Option', at: 2, type: 'u8', bits: [0, 3], enum: UNBIND_OPTION },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    return { ok: true, value: { vcsId: r.u8(0), vppbId: r.u8(1), option: r.u8(2) & 0x0f } };
  },
  encode: (v) => new ByteWriter(3).u8(0, v.vcsId).u8(1, v.vppbId).u8(2, v.option & 0x0f).bytes,
};

export const unbindVppbCommand = defineCommand<SwitchCciDevice, UnbindVppbRequest, void>({
  opcode: 0x5202,
  name: 'Unbind vPPB',
  spec: 'CXL r3.2 7.6.7.2.3',
  input: { fixed: 3 },
  // As Bind vPPB: the spec's Background Operation, plus the immediate change to the host's view.
  effects: Effect.BackgroundOperation,
  request: unbindVppbRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const sw = device.sw;
    const why = sw.unbindProblem(req.vcsId, req.vppbId, req.option);
    const durationMs = UNBIND_DURATION_MS[req.option];
    if (why !== undefined || durationMs === undefined) return failWithHint(RC.InvalidInput, why);
    const t = sw.startUnbind(req.vcsId, req.vppbId);
    return {
      background: {
        durationMs,
        complete: () => {
          t.complete();
          return RC.Success;
        },
        abort: () => t.abort(),
      },
    };
  },
});
