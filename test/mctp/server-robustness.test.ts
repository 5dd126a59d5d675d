// The MCTP listener against bad input over a real loopback socket (DSP0236 framing): bad headers,
// garbage streams, broken sequences, disconnects mid-message, oversize requests, many connections.
// Each case ends with the listener still serving.

import { afterEach, describe, expect, it } from 'vitest';
import { PACKET, bx, hx, requestPackets } from './client.js';
import { bench, until, type Bench } from './harness.js';
import { IDENTIFY_SWITCH, REQ_5100, cciRequest, parseResponse } from './messages.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.close();
  b = undefined;
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
