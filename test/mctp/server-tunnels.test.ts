// The MCTP listener's tunnels over a real loopback socket: the jrl dialect (an extra type byte at
// each level, category in the high nibble) and the spec framing, one and two levels deep. Expected
// bytes are written out from DSP0234/DSP0281, CXL r3.2 7.6.7.3.1 and the default topology.

import { afterEach, describe, expect, it } from 'vitest';
import { bx, hx } from './client.js';
import { bench, type Bench } from './harness.js';
import { IDENTIFY_SWITCH, REQ_5100, cciRequest, embedded, parseResponse, tunnel, zeros } from './messages.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

describe('MCTP listener: jrl dialect', () => {
  it('answers Identify Switch Device with the category in the high nibble (golden bytes)', async () => {
    b = await bench({ dialect: 'jrl' });
    const c = await b.connect();
    c.request(bx(REQ_5100), { tag: 5 });
    const res = await c.message();
    expect(res.packets).toHaveLength(2);
    expect(hx(res.bytes)).toBe('07' + '100500' + '0051' + '490000' + '0000' + '0000' + IDENTIFY_SWITCH + zeros(128 - 86));
  });

  it('tunnels one level with the extra type byte both ways', async () => {
    b = await bench({ dialect: 'jrl' });
    const c = await b.connect();
    // Identify Memory Device (4000h) at the SLD on port 1; command size 13 counts the type byte.
    const req = cciRequest(0x07, 0x5300, tunnel(1, embedded(0x4000, undefined, 3), true), 3);
    expect(hx(req.subarray(13, 18))).toBe('01000d0008');
    c.request(req, { tag: 3 });
    const r = parseResponse((await c.message()).bytes, true);
    expect([r.category, r.opcode, r.rc]).toEqual([1, 0x5300, 0]);
    const direct = b.sys.ccis().get('port1.ld0')!.process(0x4000, new Uint8Array(0));
    const n = direct.payload.length;
    // Response length n + 12 + 1, reserved, type 08, embedded response (category 1 high nibble).
    expect(hx(r.payload.subarray(0, 5 + 12))).toBe(
      hx(Uint8Array.of((n + 13) & 0xff, (n + 13) >> 8, 0, 0, 0x08, 0x10, 3, 0, 0x00, 0x40, n & 0xff, n >> 8, 0, 0, 0, 0, 0)),
    );
    expect(hx(r.payload.subarray(17))).toBe(hx(direct.payload));
  });

  it('tunnels two levels to an LD behind the FM-owned LD, a type byte at each level', async () => {
    b = await bench({ dialect: 'jrl' });
    const c = await b.connect();
    const req = cciRequest(0x07, 0x5300, tunnel(2, embedded(0x5300, tunnel(1, embedded(0x4000), true)), true), 4);
    c.request(req, { tag: 4 });
    const r = parseResponse((await c.message()).bytes, true);
    expect(r.rc).toBe(0);
    const direct = b.sys.ccis().get('port2.ld1')!.process(0x4000, new Uint8Array(0));
    const n = direct.payload.length;
    const p = r.payload;
    // Outer: length = 1 + 12 + (4 + 1 + 12 + n); then 08, a 5300h response header (category 1).
    expect([p[0]! | (p[1]! << 8), p[4], p[5], p[8], p[9]]).toEqual([13 + 17 + n, 0x08, 0x10, 0x00, 0x53]);
    const mid = p.subarray(17);
    expect([mid[0]! | (mid[1]! << 8), mid[4], mid[5], mid[8], mid[9]]).toEqual([13 + n, 0x08, 0x10, 0x00, 0x40]);
    expect(hx(mid.subarray(17))).toBe(hx(direct.payload));
  });

  it('answers a spec-form tunnel (no type byte) on a jrl listener with Invalid Payload Length', async () => {
    b = await bench({ dialect: 'jrl' });
    const c = await b.connect();
    c.request(cciRequest(0x07, 0x5300, tunnel(1, embedded(0x4000), false), 1), { tag: 1 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('07' + '100100' + '0053' + '000000' + '1600' + '0000');
  });
});

describe('MCTP listener: spec dialect tunnels', () => {
  it('tunnels one and two levels with the spec framing', async () => {
    b = await bench();
    const c = await b.connect();
    c.request(cciRequest(0x07, 0x5300, tunnel(1, embedded(0x4000, undefined, 9), false), 1), { tag: 1 });
    const one = parseResponse((await c.message()).bytes);
    const d1 = b.sys.ccis().get('port1.ld0')!.process(0x4000, new Uint8Array(0));
    const n = d1.payload.length;
    expect(hx(one.payload.subarray(0, 16))).toBe(hx(Uint8Array.of((n + 12) & 0xff, (n + 12) >> 8, 0, 0, 0x01, 9, 0, 0x00, 0x40, n & 0xff, n >> 8, 0, 0, 0, 0, 0)));
    expect(hx(one.payload.subarray(16))).toBe(hx(d1.payload));

    c.request(cciRequest(0x07, 0x5300, tunnel(2, embedded(0x5300, tunnel(3, embedded(0x4000), false)), false), 2), { tag: 2 });
    const two = parseResponse((await c.message()).bytes);
    const d2 = b.sys.ccis().get('port2.ld3')!.process(0x4000, new Uint8Array(0));
    expect(two.rc).toBe(0);
    expect(two.payload.length).toBe(32 + d2.payload.length);
    expect(hx(two.payload.subarray(32))).toBe(hx(d2.payload));
  });
});
