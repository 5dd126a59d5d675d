// Red team (issue 14, finding 6): the MMPT response queue was shared by every connection, so a
// read-only client took an admin's queued response and, by filling the queue, made the admin's
// Send Message answer Busy. Each connection now has its own MMPT channel (src/host/mmpt-channel.ts).
// Attacker: a connection without a token (read-only). Victim: an admin. The admin checks at the
// end that every response it is owed is there, in order, and that the attacker got none of them.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, hex, injectClient, makeApp } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** MMPT message: type 08h (CXL CCI), request, tag, command 01h set 00h (Identify), length 0. */
const identifyMsg = (tag: number) => bytes(`08 00 ${tag.toString(16).padStart(2, '0')} 00 01 00 000000 0000 0000`);
/** The tag echoed in a response message (byte 0 type, byte 1 category, byte 2 tag). */
const tagOf = (payload: Uint8Array) => payload[2];

describe('MMPT queues are per connection', () => {
  it('a read-only client cannot take an admin\'s queued response', async () => {
    app = await makeApp();
    const victim = await injectClient(app, '/ws?token=admin-token');
    const attacker = await injectClient(app);

    const sent = await victim.mmptSend(identifyMsg(0x5a), 'full');
    expect(sent.refused === false && sent.rc).toBe(0);
    // The attacker asks for "the oldest queued response" and must get nothing.
    const stolen = await attacker.mmptReceive();
    expect(stolen.refused).toBe(false);
    expect(stolen.refused === false && hex(stolen.payload)).toBe('');

    const mine = await victim.mmptReceive();
    expect(mine.refused === false && mine.payload.length).toBeGreaterThan(13);
    // type 08h, response, tag 5Ah, opcode 0001h, length 12h, rc Success
    expect(mine.refused === false && hex(mine.payload.slice(0, 13))).toBe('08' + '01' + '5a' + '00' + '01' + '00' + '120000' + '0000' + '0000');
  });

  it('a read-only client filling its queue does not make the admin\'s Send answer Busy or Retry', async () => {
    app = await makeApp();
    const victim = await injectClient(app, '/ws?token=admin-token');
    const attacker = await injectClient(app);

    // Fill the attacker's own queue (16 messages, the MMPT Capabilities queue capacity) and one more.
    const rcs: number[] = [];
    for (let i = 0; i < 17; i++) {
      const r = await attacker.mmptSend(identifyMsg(i));
      rcs.push(r.refused ? -1 : r.rc);
    }
    // 16 accepted; the 17th finds the attacker's queue full: Retry Required (05h), like the device.
    expect(rcs).toEqual([...Array<number>(16).fill(0), 0x05]);

    // The victim is unaffected: its Send succeeds and its Receive gets its own response.
    for (const tag of [0xa1, 0xa2]) {
      const r = await victim.mmptSend(identifyMsg(tag), 'full');
      expect(r.refused === false && r.rc).toBe(0);
    }
    const got: number[] = [];
    for (;;) {
      const r = await victim.mmptReceive();
      if (r.refused || r.payload.length === 0) break;
      got.push(tagOf(r.payload) ?? -1);
    }
    expect(got).toEqual([0xa1, 0xa2]);

    // And the attacker holds only its own 16, in order.
    const own: number[] = [];
    for (;;) {
      const r = await attacker.mmptReceive();
      if (r.refused || r.payload.length === 0) break;
      own.push(tagOf(r.payload) ?? -1);
    }
    expect(own).toEqual([...Array(16).keys()]);
  });
});
