// CXL r3.2 7.6.7.2.2 Bind vPPB (Opcode 5201h): bind a physical port, or one LD of an MLD port, to
// a downstream vPPB of a VCS. Always a background operation (Table 8-87 effect bit 6); the vPPB
// and port report "bind in progress" until it completes, and only then does the host see the
// target (Switch.hostView). All checks run before anything changes (Switch.checkBind).
//
// Effects: the spec lists Background Operation only; we add Immediate Configuration Change because
// on completion the host's hierarchy has changed with no reset, which host policy must see.

import { defineCommand, emptyCodec, failWithHint, type Codec } from '../../cci/command.js';
import { Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import { BIND_DURATION_MS } from '../../switch/switch.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SwitchCciDevice } from '../switch/device.js';

export interface BindVppbRequest {
  readonly vcsId: number;
  readonly vppbId: number;
  readonly portId: number;
  /** FFFFh for anything but an MLD port. */
  readonly ldId: number;
}

export const bindVppbRequestCodec: Codec<BindVppbRequest> = {
  schema: {
    fields: [
      { name: 'vcsId', spec: 'Virtual CXL Switch ID', at: 0, type: 'u8' },
      { name: 'vppbId', spec: 'vPPB ID', at: 1, type: 'u8' },
      { name: 'portId', spec: 'Physical Port ID', at: 2, type: 'u8' },
      { name: 'ldId', spec: 'LD ID', at: 4, type: 'u16', doc: 'FFFFh to bind a whole port (anything but an MLD port)' },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    return { ok: true, value: { vcsId: r.u8(0), vppbId: r.u8(1), portId: r.u8(2), ldId: r.u16(4) } };
  },
  encode: (v) => new ByteWriter(6).u8(0, v.vcsId).u8(1, v.vppbId).u8(2, v.portId).u16(4, v.ldId).bytes,
};

export const bindVppbCommand = defineCommand<SwitchCciDevice, BindVppbRequest, void>({
  opcode: 0x5201,
  name: 'Bind vPPB',
  spec: 'CXL r3.2 7.6.7.2.2',
  input: { fixed: 6 },
  effects: Effect.BackgroundOperation,
  request: bindVppbRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const sw = device.sw;
    const why = sw.bindProblem(req.vcsId, req.vppbId, req.portId, req.ldId);
    if (why !== undefined) return failWithHint(RC.InvalidInput, why);
    const t = sw.startBind(req.vcsId, req.vppbId, req.portId, req.ldId);
    return {
      background: {
        durationMs: BIND_DURATION_MS,
        complete: () => {
          t.complete();
          return RC.Success;
        },
        abort: () => t.abort(),
      },
    };
  },
});
