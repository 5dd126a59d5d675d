// CXL r3.2 7.6.7.1.3 Physical Port Control (Opcode 5102h): the FM drives PERST# and PPB resets of
// ports no host owns (unbound ports and MLD ports). The rules about which state allows which
// operation, and the PERST# hold time, live in the switch model (src/switch/switch.ts).
//
// Return codes where the spec is silent: a port the FM may not control, assert when already
// asserted, deassert when not asserted, or a reset while PERST# holds the port → Invalid Input;
// deassert inside the 100 ms hold, or a reset while the previous one runs → Retry Required (the
// same request succeeds later). QEMU answers Internal Error to all of these.

import { defineCommand, emptyCodec, failWithHint, ok, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { SwitchCciDevice } from './device.js';

export const PortOpcode = {
  AssertPerst: 0x00,
  DeassertPerst: 0x01,
  ResetPpb: 0x02,
} as const;

export interface PhysicalPortControlRequest {
  readonly ppbId: number;
  readonly op: number;
}

export const physicalPortControlRequestCodec: Codec<PhysicalPortControlRequest> = {
  schema: {
    fields: [
      { name: 'ppbId', spec: 'PPB ID', at: 0, type: 'u8', doc: 'the physical port' },
      { name: 'op', spec: 'Port Opcode', at: 1, type: 'u8', enum: { 0: 'Assert PERST', 1: 'Deassert PERST', 2: 'Reset PPB' }, max: 2 },
    ],
  },
  decode: (b) => {
    const r = new ByteReader(b);
    const op = r.u8(1);
    if (op > PortOpcode.ResetPpb) return { ok: false, rc: RC.InvalidInput };
    return { ok: true, value: { ppbId: r.u8(0), op } };
  },
  encode: (v) => new ByteWriter(2).u8(0, v.ppbId).u8(1, v.op).bytes,
};

export const physicalPortControlCommand = defineCommand<SwitchCciDevice, PhysicalPortControlRequest, void>({
  opcode: 0x5102,
  name: 'Physical Port Control',
  spec: 'CXL r3.2 7.6.7.1.3',
  input: { fixed: 2 },
  // 7.6.7.1.3 lists no command effects: the PPB's own configuration does not change. A host
  // policy that treats port resets as destructive has to say so by opcode, not by CEL effects.
  effects: 0,
  request: physicalPortControlRequestCodec,
  response: emptyCodec,
  handle: (req, { device }) => {
    const sw = device.sw;
    const rc =
      req.op === PortOpcode.AssertPerst
        ? sw.assertPerst(req.ppbId)
        : req.op === PortOpcode.DeassertPerst
          ? sw.deassertPerst(req.ppbId)
          : sw.resetPpb(req.ppbId);
    if (rc === RC.Success) return ok(undefined);
    return failWithHint(rc, sw.portControlProblem(req.ppbId, req.op === PortOpcode.AssertPerst ? 'assert' : req.op === PortOpcode.DeassertPerst ? 'deassert' : 'reset'));
  },
});
