// The MCTP listener over a real loopback socket (issue #7). Expected bytes are written out from
// DSP0236, DSP0234/DSP0281, CXL r3.2 and the default topology, never computed by the code under test.

import { afterEach, describe, expect, it } from 'vitest';
import { endpointUuid } from '../../src/mctp/control.js';
import { bench, until, type Bench } from './harness.js';
import { bx, cat, hx, PACKET, requestPackets, TestClient } from './client.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

const zeros = (n: number): string => '00'.repeat(n);

// CXL r3.2 7.6.7.1.1 Identify Switch Device output for the default topology: ingress port 0,
// 10 physical ports, 2 VCSs, ports 0-6, 8, 9 active (7 is disabled), VCS 0 and 1 active,
// 12 vPPBs in all, 7 bound or upstream, 4 HDM decoders.
const IDENTIFY_SWITCH = '00000a02' + '7f03' + zeros(30) + '03' + zeros(31) + '0c00' + '0700' + '04';

// Identify Switch Device request: type 07, CCI header: category 0, tag 5, opcode 5100h, length 0.
const REQ_5100 = '07' + '00 05 00 00 51 000000 0000 0000';

/** A CCI request message: type byte + 12-byte header + payload (spec form). */
function cciRequest(type: number, opcode: number, payload: Uint8Array = new Uint8Array(0), tag = 0): Uint8Array {
  const h = new Uint8Array(13 + payload.length);
  h[0] = type;
  h[2] = tag;
  h[4] = opcode & 0xff;
  h[5] = opcode >> 8;
  h[6] = payload.length & 0xff;
  h[7] = (payload.length >> 8) & 0xff;
  h[8] = (payload.length >> 16) & 0x0f;
  h.set(payload, 13);
  return h;
}

/** Parse a response message (type byte first), trimming the packet padding by the header length. */
function parseResponse(bytes: Uint8Array, jrl = false): { type: number; category: number; tag: number; opcode: number; rc: number; payload: Uint8Array } {
  const len = (bytes[6] ?? 0) | ((bytes[7] ?? 0) << 8) | (((bytes[8] ?? 0) & 0x0f) << 16);
  const b0 = bytes[1] ?? 0;
  return {
    type: bytes[0] ?? 0,
    category: jrl ? b0 >> 4 : b0 & 0x0f,
    tag: bytes[2] ?? 0,
    opcode: (bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8),
    rc: (bytes[9] ?? 0) | ((bytes[10] ?? 0) << 8),
    payload: bytes.slice(13, 13 + len),
  };
}

/** A spec-form tunnel request payload around an embedded request. */
function tunnel(port: number, inner: Uint8Array, jrl: boolean): Uint8Array {
  const size = inner.length + (jrl ? 1 : 0);
  return cat(Uint8Array.of(port, 0, size & 0xff, size >> 8), jrl ? Uint8Array.of(0x08) : new Uint8Array(0), inner);
}

/** A bare CCI message (no type byte) for embedding. */
function embedded(opcode: number, payload: Uint8Array = new Uint8Array(0), tag = 0): Uint8Array {
  return cciRequest(0, opcode, payload, tag).slice(1);
}

const CEL_UUID = '0da9c0b5bf414b788f7996b1623b3f17';
const getLog = (offset: number, length: number): Uint8Array =>
  bx(CEL_UUID + hx(Uint8Array.of(offset & 0xff, (offset >> 8) & 0xff, 0, 0)) + hx(Uint8Array.of(length & 0xff, length >> 8, 0, 0)));

describe('MCTP listener: control messages', () => {
  it('answers Get Endpoint ID, Set Endpoint ID, Get MCTP Version Support and Get Message Type Support', async () => {
    b = await bench();
    const c = await b.connect();
    // Get Endpoint ID, instance 1, tag 2.
    c.request(bx('00 81 02'), { tag: 2 });
    const eid = await c.message();
    expect(eid.packets).toHaveLength(1);
    // Response header: version 1, to the requester 0x10, from EID 08, SOM|EOM (c0), seq 0, TO clear, tag 2.
    expect(hx(eid.packets[0]!.raw.subarray(0, 4))).toBe('011008c2');
    expect(hx(eid.bytes.subarray(0, 7))).toBe('00010200080200');

    c.request(bx('00 82 01 00 33'), { tag: 3 });
    const set = await c.message();
    expect(hx(set.packets[0]!.raw.subarray(0, 4))).toBe('011033d3'); // from the new EID 33 at once; SOM|EOM, seq 1 continues, tag 3
    expect(hx(set.bytes.subarray(0, 7))).toBe('00020100003300');

    // Requests to the new EID are served, from the new EID.
    c.request(bx('00 83 04 ff'), { tag: 4, dest: 0x33 });
    const ver = await c.message();
    expect(ver.packets[0]!.src).toBe(0x33);
    expect(hx(ver.bytes.subarray(0, 9))).toBe('00030400' + '01' + 'f1f3f100');

    // Get Endpoint UUID (jack asks for it): cxlemu's prefix, version 8, the switch serial at the end.
    c.request(bx('00 87 03'), { tag: 7, dest: 0x33 });
    const uuid = await c.message();
    expect(hx(uuid.bytes.subarray(0, 4))).toBe('00070300');
    expect(hx(uuid.bytes.subarray(4, 20))).toBe(hx(endpointUuid(b.sys.topology.switch.serialNumber)));
    expect(hx(uuid.bytes.subarray(4, 14))).toBe('63786c656d7580008000');

    c.request(bx('00 84 05'), { tag: 5, dest: 0x33 });
    const types = await c.message();
    expect(hx(types.bytes.subarray(0, 7))).toBe('00040500' + '02' + '0708');

    // The old EID is no longer this endpoint's: dropped.
    c.request(bx('00 85 02'), { tag: 6, dest: 0x08 });
    expect(await c.silent()).toBe(true);
    // The null EID always reaches the endpoint (DSP0236 8.2).
    c.request(bx('00 86 02'), { tag: 6, dest: 0x00 });
    expect(hx((await c.message()).bytes.subarray(0, 7))).toBe('00060200' + '330300');
  });

  it('keeps EIDs per connection', async () => {
    b = await bench();
    const c1 = await b.connect();
    const c2 = await b.connect();
    c1.request(bx('00 80 01 00 40'));
    await c1.message();
    c2.request(bx('00 80 02'));
    expect(hx((await c2.message()).bytes.subarray(0, 7))).toBe('00000200' + '080200');
  });
});

describe('MCTP listener: CCI messages (spec dialect)', () => {
  it('answers Identify Switch Device with golden bytes in two packets', async () => {
    b = await bench();
    const c = await b.connect();
    c.request(bx(REQ_5100), { tag: 5 });
    const res = await c.message();
    expect(res.packets).toHaveLength(2);
    expect(hx(res.packets[0]!.raw.subarray(0, 4))).toBe('01100885'); // SOM, seq 0, tag 5
    expect(hx(res.packets[1]!.raw.subarray(0, 4))).toBe('01100855'); // EOM, seq 1, tag 5
    const expected = '07' + '01 05 00 00 51 490000 0000 0000'.replace(/\s/g, '') + IDENTIFY_SWITCH;
    expect(hx(res.bytes)).toBe(expected + zeros(128 - 86));
  });

  it('returns exactly len/64 packets when the response is a multiple of 64 bytes', async () => {
    b = await bench();
    const c = await b.connect();
    // Get Log (CEL), 51 bytes: 1 + 12 + 51 = 64, one full packet and nothing after it.
    c.request(cciRequest(0x08, 0x0401, getLog(0, 51), 1), { tag: 1 });
    const one = await c.message();
    expect(one.packets).toHaveLength(1);
    expect(one.packets[0]!.som && one.packets[0]!.eom).toBe(true);
    const direct = b.sys.switchCci.process(0x0401, getLog(0, 51));
    expect(hx(one.bytes)).toBe('08' + '010100' + '0104' + '330000' + '0000' + '0000' + hx(direct.payload));

    // Through a tunnel to the SLD at port 1: 1 + 12 + (4 + 12 + 99) = 128, two full packets.
    c.request(cciRequest(0x07, 0x5300, tunnel(1, embedded(0x0401, getLog(0, 99)), false), 2), { tag: 2 });
    const two = await c.message();
    expect(two.packets).toHaveLength(2);
    expect(two.packets.map((p) => [p.som, p.eom])).toEqual([
      [true, false],
      [false, true],
    ]);
    const ld = b.sys.ccis().get('port1.ld0')!.process(0x0401, getLog(0, 99));
    const r = parseResponse(two.bytes);
    expect(r.payload.length).toBe(115);
    expect(hx(r.payload.subarray(0, 4))).toBe('6f000000');
    expect(hx(r.payload.subarray(16))).toBe(hx(ld.payload));
  });

  it('assembles a multi-packet request (two-level tunnel, 69 bytes) and answers it', async () => {
    b = await bench();
    const c = await b.connect();
    const msg = cciRequest(0x07, 0x5300, tunnel(2, embedded(0x5300, tunnel(1, embedded(0x0401, getLog(0, 8)), false)), false), 7);
    expect(msg.length).toBe(69);
    c.request(msg, { tag: 7, seq: 3 });
    const r = parseResponse((await c.message()).bytes);
    expect([r.opcode, r.rc, r.tag]).toEqual([0x5300, 0, 7]);
    const direct = b.sys.ccis().get('port2.ld1')!.process(0x0401, getLog(0, 8));
    // Two tunnel response headers and two embedded CCI headers: 32 bytes of framing.
    expect(hx(r.payload.subarray(32))).toBe(hx(direct.payload));
    expect(r.payload[4 + 8]).toBe(0); // outer embedded return code
  });

  it('handles a request split into single bytes and three requests coalesced in one write', async () => {
    b = await bench();
    const c = await b.connect();
    const pkts = cat(...requestPackets(bx(REQ_5100), { tag: 1 }));
    for (const byte of pkts) {
      c.write(Uint8Array.of(byte));
      await new Promise((r) => setImmediate(r));
    }
    expect(parseResponse((await c.message()).bytes).payload.length).toBe(73);

    c.write(
      ...requestPackets(cciRequest(0x08, 0x0001, undefined, 2), { tag: 2 }),
      ...requestPackets(bx(REQ_5100), { tag: 3 }),
      ...requestPackets(cciRequest(0x07, 0x5101, Uint8Array.of(1, 4), 4), { tag: 4 }),
    );
    const a = await c.message();
    const m = await c.message();
    const z = await c.message();
    expect([a, m, z].map((x) => x.packets[0]!.tag)).toEqual([2, 3, 4]);
    // Sequence numbers run on across responses: 0,1 (first answer), then 2; 3,0; 1.
    expect([...a.packets, ...m.packets, ...z.packets].map((p) => p.seq)).toEqual([2, 3, 0, 1]);
    expect(parseResponse(a.bytes)).toMatchObject({ type: 0x08, opcode: 0x0001, rc: 0 });
    const ports = parseResponse(z.bytes);
    expect(ports).toMatchObject({ type: 0x07, opcode: 0x5101, rc: 0 });
    // One port-state block for port 4 (a PCIe device, connected device type 1).
    expect(hx(ports.payload.subarray(0, 9))).toBe('01000000' + '04' + '03' + '00' + '00' + '01');
  });

  it('enforces the type/command-set rule and answers on the request type', async () => {
    b = await bench();
    const c = await b.connect();
    c.request(cciRequest(0x08, 0x5100, undefined, 1), { tag: 1 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('08' + '010100' + '0051' + '000000' + '0300' + '0000');
    c.request(cciRequest(0x07, 0x0400, undefined, 2), { tag: 2 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('07' + '010200' + '0004' + '000000' + '0300' + '0000');
    // The Information and Status set (0001h-0005h) travels on both types (src/mctp/binding.ts):
    // Identify on 07h answers its 12h bytes.
    c.request(cciRequest(0x07, 0x0001, undefined, 4), { tag: 4 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('07' + '010400' + '0100' + '120000' + '0000' + '0000');
    c.request(cciRequest(0x07, 0x5101, Uint8Array.of(0), 3), { tag: 3 });
    expect(parseResponse((await c.message()).bytes)).toMatchObject({ type: 0x07, rc: 0 });
  });

  it('answers a header that claims more payload than arrived with Invalid Payload Length', async () => {
    b = await bench();
    const c = await b.connect();
    const msg = cciRequest(0x07, 0x5101, Uint8Array.of(1, 1), 9);
    msg[6] = 0x60; // 96 bytes claimed, 51 padding bytes after the header arrive
    c.request(msg, { tag: 1 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('07' + '010900' + '0151' + '000000' + '1600' + '0000');
  });

  it('drops messages that are not requests, of unknown type, or with the integrity bit', async () => {
    b = await bench();
    const c = await b.connect();
    c.request(bx('07 01 00 00 00 51 000000 0000 0000')); // CCI response category
    c.request(bx('7e 00 01 02 03')); // vendor-defined PCI type: not ours
    c.request(bx('87 00 00 00 00 51 000000 0000 0000')); // IC set
    // '07 00 00' arrives padded to a whole packet: an all-zero header, opcode 0000h, which type 07h
    // does not carry: the one answer (Unsupported).
    c.request(bx('07 00 00'));
    const r = parseResponse((await c.message()).bytes);
    expect([r.opcode, r.rc]).toEqual([0x0000, 0x03]);
    expect(await c.silent()).toBe(true);
    expect(b.logs.filter((l) => l.obj.event === 'message-dropped')).toHaveLength(3);
  });
});

describe('MCTP listener: filter', () => {
  it('refuses a write command at the default read-only scope, audits it and changes nothing', async () => {
    b = await bench();
    const c = await b.connect();
    const before = b.driver.audit.size;
    c.request(cciRequest(0x08, 0x0301, bx('0010a5d4e8000000'), 1), { tag: 1 });
    // CXL r3.2 Table 8-34 15h Unsupported Mailbox or CCI.
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('08' + '010100' + '0103' + '000000' + '1500' + '0000');
    expect(b.sys.switchCci.getTimestamp()).toBe(0n);
    const entry = b.driver.audit.tail(1)[0]!;
    expect(b.driver.audit.size).toBe(before + 1);
    expect(entry).toMatchObject({ allowed: false, opcode: 0x0301, scope: 'read-only' });
    expect(entry.reason).toMatch(/^MCTP: /);
    expect(b.logs.some((l) => l.obj.event === 'refused')).toBe(true);
  });

  it('refuses an opcode no CEL lists with Unsupported, without dispatching it', async () => {
    b = await bench();
    const c = await b.connect();
    let dispatched = 0;
    b.sys.switchCci.events.on('command', () => dispatched++);
    c.request(cciRequest(0x08, 0x0bad, undefined, 1), { tag: 1 });
    expect(parseResponse((await c.message()).bytes).rc).toBe(0x03);
    expect(dispatched).toBe(0);
  });

  it('filters what a tunnel carries', async () => {
    b = await bench();
    const c = await b.connect();
    // Set Timestamp inside a tunnel to port 1: refused whole.
    c.request(cciRequest(0x07, 0x5300, tunnel(1, embedded(0x0301, bx('0100000000000000')), false), 1), { tag: 1 });
    const r = parseResponse((await c.message()).bytes);
    expect([r.opcode, r.rc, r.payload.length]).toEqual([0x5300, 0x15, 0]);
    expect(b.driver.audit.tail(1)[0]).toMatchObject({ allowed: false, innerOpcode: 0x0301 });
  });

  it('lets a listener at scope full set the timestamp', async () => {
    b = await bench({ scope: 'full' });
    const c = await b.connect();
    c.request(cciRequest(0x08, 0x0301, bx('0010a5d4e8000000'), 1), { tag: 1 });
    expect(parseResponse((await c.message()).bytes).rc).toBe(0);
    expect(b.sys.switchCci.getTimestamp()).toBe(0xe8d4a51000n);
    expect(b.driver.audit.tail(1)[0]).toMatchObject({ allowed: true, scope: 'full' });
  });
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

describe('MCTP listener: robustness', () => {
  it('drops packets with a bad header version and serves the next good one', async () => {
    b = await bench();
    const c = await b.connect();
    const bad = new Uint8Array(PACKET).fill(0x5a);
    c.write(bad, bad, bad, ...requestPackets(bx(REQ_5100), { tag: 1 }));
    expect(parseResponse((await c.message()).bytes).payload.length).toBe(73);
    expect(b.logs.filter((l) => l.obj.event === 'packet-dropped')).toHaveLength(3);
  });

  it('closes a connection that streams garbage, and keeps listening', async () => {
    b = await bench();
    const c = await b.connect();
    const junk = Uint8Array.from({ length: PACKET * 40 }, (_, i) => (i * 131 + 7) & 0xfe); // byte 0 never version 1
    c.write(junk);
    await c.closed;
    expect(b.logs.some((l) => l.obj.event === 'connection-closed')).toBe(true);
    const d = await b.connect();
    d.request(bx(REQ_5100), { tag: 2 });
    expect(parseResponse((await d.message()).bytes).rc).toBe(0);
  });

  it('drops a message whose sequence breaks, then serves the next', async () => {
    b = await bench();
    const c = await b.connect();
    const [p1, p2] = requestPackets(cciRequest(0x07, 0x5101, new Uint8Array(60).fill(1)), { tag: 1 });
    p2![3] = (p2![3]! & ~0x30) | (3 << 4); // seq 3 where 1 is due
    c.write(p1!, p2!);
    expect(await c.silent()).toBe(true);
    c.request(bx(REQ_5100), { tag: 1 });
    expect(parseResponse((await c.message()).bytes).opcode).toBe(0x5100);
  });

  it('survives a client that disconnects mid-message', async () => {
    b = await bench();
    const c = await b.connect();
    const pkts = requestPackets(cciRequest(0x07, 0x5101, new Uint8Array(100).fill(1)), { tag: 1 });
    c.write(pkts[0]!, pkts[1]!.subarray(0, 30));
    await until(() => b!.logs.some((l) => l.obj.event === 'connected'));
    c.close();
    expect(await until(() => b!.logs.some((l) => l.obj.event === 'disconnect-mid-message'))).toBe(true);
    expect(await until(() => b!.server.connections() === 0)).toBe(true);
    const d = await b.connect();
    d.request(bx(REQ_5100), { tag: 1 });
    expect(parseResponse((await d.message()).bytes).rc).toBe(0);
  });

  it('answers an oversize request with Invalid Payload Length and discards the rest of it', async () => {
    b = await bench({ maxMessageBytes: 128 });
    const c = await b.connect();
    const big = cciRequest(0x07, 0x5101, new Uint8Array(200).fill(2), 6); // 213 bytes: 4 packets
    c.request(big, { tag: 6 });
    expect(hx((await c.message()).bytes.subarray(0, 13))).toBe('07' + '010600' + '0151' + '000000' + '1600' + '0000');
    expect(await c.silent()).toBe(true);
    expect(b.logs.some((l) => String(l.msg).includes('oversize'))).toBe(true);
    c.request(bx(REQ_5100), { tag: 1 });
    expect(parseResponse((await c.message()).bytes).rc).toBe(0);
  });

  it('serves many connections at once, each answer on its own connection', async () => {
    b = await bench();
    const clients = await Promise.all(Array.from({ length: 24 }, () => b!.connect()));
    // Give each connection its own EID, then ask each for Identify Switch Device.
    clients.forEach((c, i) => c.request(Uint8Array.of(0x00, 0x80, 0x01, 0x00, 0x20 + i), { tag: i & 7 }));
    await Promise.all(clients.map((c) => c.message()));
    clients.forEach((c, i) => c.request(bx(REQ_5100), { tag: i & 7, dest: 0x20 + i }));
    const answers = await Promise.all(clients.map((c) => c.message()));
    answers.forEach((a, i) => {
      expect(a.packets.every((p) => p.src === 0x20 + i && p.tag === (i & 7))).toBe(true);
      expect(hx(parseResponse(a.bytes).payload)).toBe(IDENTIFY_SWITCH);
    });
    expect(b.server.connections()).toBe(24);
  });
});
