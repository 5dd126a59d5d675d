// Every opcode of every CCI in the default topology answers the same through the switch mailbox
// registers (and one or two Tunnel Management levels) as when its dispatcher is called directly:
// the register path, the driver and the tunnel framing add nothing and lose nothing. Inputs are the
// ones that exercise the generic checks (empty, one stray byte, a long run of 0xff), so every
// command's error path is crossed too.

import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/system.js';

const ROUTES: Record<string, { id: number }[]> = {
  switch: [],
  'port1.ld0': [{ id: 1 }],
  'port2.fm': [{ id: 2 }],
  'port3.ld0': [{ id: 3 }],
  'port6.ld0': [{ id: 6 }],
  'port2.ld0': [{ id: 2 }, { id: 0 }],
  'port2.ld3': [{ id: 2 }, { id: 3 }],
};
// The last fills the default 1 KiB switch mailbox (the 2^10 message size every CCI advertises,
// src/cci/message-size.ts) less 16 bytes of framing per tunnel level: the largest request the
// route carries. One byte more cannot be sent through these registers at all; that case, with a
// 2 KiB mailbox, is in size-equivalence.test.ts.
const INPUTS = [new Uint8Array(0), Uint8Array.of(0x01), new Uint8Array(40).fill(0xff)];
const largest = (levels: number): Uint8Array => new Uint8Array(1024 - 16 * levels).fill(0xff);

describe('register path and tunnels vs direct dispatch', () => {
  it.each(Object.keys(ROUTES))('%s: every opcode, same return code and payload', async (name) => {
    const direct = createSystem();
    const viaRegs = createSystem();
    const drv = await viaRegs.openDriver({ maxScope: 'full', allowAll: true });
    const cci = direct.ccis().get(name);
    expect(cci).toBeDefined();
    const route = ROUTES[name] ?? [];
    let compared = 0;
    for (const cmd of cci?.commands() ?? []) {
      // Tunnel Management acts on the transport itself; it is covered elsewhere.
      if (cmd.opcode === 0x5300) continue;
      for (const input of [...INPUTS, largest(route.length)]) {
        const want = cci?.process(cmd.opcode, input) ?? { rc: -1, payload: new Uint8Array(0) };
        const got = await drv.submit({ opcode: cmd.opcode, payload: input, tunnel: route, scope: 'full', background: 'return' });
        if (got.refused) throw new Error(got.reason);
        expect({ op: cmd.opcode, len: input.length, rc: got.rc, payload: Buffer.from(got.payload).toString('hex') }).toEqual({
          op: cmd.opcode,
          len: input.length,
          rc: want.rc,
          payload: Buffer.from(want.payload).toString('hex'),
        });
        compared++;
        // Let any background operation either side started finish before the next command.
        direct.clock.advance(4 * 3600_000);
        viaRegs.clock.advance(4 * 3600_000);
      }
    }
    expect(compared).toBeGreaterThan(8);
  });
});
