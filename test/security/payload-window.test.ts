// Red team, issue 14 finding 2: the switch mailbox's payload window is shared by every caller of
// the one host driver, so whatever a full-scope caller submits (a Set Passphrase passphrase) sits
// there after its command. The window's contents need full scope to read (the scope that may send
// those secrets in the first place), by payload read and by MMIO read alike; the mailbox's other
// registers (opcode, lengths, return codes) stay readable, as the command-trace events already
// show them at read-only. The device zeroes the window when a command completes, so the secret is
// there while the command is in flight: a slow command (realtime clock, 10 s of virtual latency)
// holds it open, and the admin ends it by advancing the clock.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { injectClient, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// BAR0 of the switch CCI function: mailbox at 0x80, payload window at mailbox + 20h (CXL r3.2
// 8.2.8.4), 1024 bytes (the default Payload Size 2^10).
const MB = 0x80;
const PAYLOAD = MB + 0x20;
const SECRET = Buffer.from('correct horse battery staple!!!!'); // 32 bytes

/** Set Passphrase (CXL r3.2 8.2.10.9.6.2): type 0 (user), current (none), new passphrase. */
function setPassphrase(): Uint8Array {
  const p = new Uint8Array(96);
  p.set(SECRET, 64);
  return p;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).includes(Buffer.from(needle));
}

describe('the shared payload window is readable only at full scope', () => {
  it('a read-only or configuration client cannot read a passphrase another client sent', async () => {
    app = await makeApp({ clockMode: 'realtime', commandLatencyMs: 10_000 });
    const admin = await injectClient(app, '/ws?token=admin-token');
    const sent = admin.send(0x4501, setPassphrase(), { tunnel: [{ id: 1 }], scope: 'full' });
    // The secret is in the window while the command runs (the full-scope owner may see it: it sent it).
    let inFlight = false;
    for (let i = 0; i < 1000 && !inFlight; i++) inFlight = contains(await admin.payloadRead('switch', 0, 1024), SECRET);
    expect(inFlight).toBe(true);

    for (const path of ['/ws', '/ws?token=ro-token', '/ws?token=cfg-token']) {
      const spy = await injectClient(app, path);
      await expect(spy.payloadRead('switch', 0, 1024)).rejects.toMatchObject({ code: 'permission-denied', message: expect.stringMatching(/payload window.*full/) });
      await expect(spy.payloadRead('switch', 64 + 16, 8)).rejects.toMatchObject({ code: 'permission-denied' });
      for (let off = 0; off < 1024; off += 8) {
        await expect(spy.mmioRead('switch', PAYLOAD + off, 8)).rejects.toMatchObject({ code: 'permission-denied' });
      }
      // The last byte of the window, and a 4-byte read straddling nothing but the window.
      await expect(spy.mmioRead('switch', PAYLOAD + 1023, 1)).rejects.toMatchObject({ code: 'permission-denied' });
      // The registers before the window stay readable: Background Command Status at mailbox + 18h.
      expect(typeof (await spy.mmioRead('switch', MB + 0x18, 8))).toBe('bigint');
      expect(await spy.mmioRead('switch', MB, 4)).toBe(0x6an);
    }
    // A type 3 LD's own mailbox function has the same rule (its window at its own mailbox + 20h).
    const ro = await injectClient(app);
    await expect(ro.payloadRead('port1.ld0', 0, 16)).rejects.toMatchObject({ code: 'permission-denied' });
    await admin.advanceClock(20_000);
    const r = await sent;
    expect(r.refused === false && r.rc).toBe(0);
  });
});
