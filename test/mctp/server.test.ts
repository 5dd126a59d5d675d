// The MCTP listener over a real loopback socket (issue #7): control messages, CCI messages in the
// spec dialect and the filter. Expected bytes are written out from DSP0236, DSP0234/DSP0281, CXL
// r3.2 and the default topology, never computed by the code under test. Tunnels and the jrl
// dialect: server-tunnels.test.ts; bad input: server-robustness.test.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { endpointUuid } from '../../src/mctp/control.js';
import { bx, cat, hx, requestPackets } from './client.js';
import { bench, type Bench } from './harness.js';
import { IDENTIFY_SWITCH, REQ_5100, cciRequest, embedded, getLog, parseResponse, tunnel, zeros } from './messages.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
});

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
