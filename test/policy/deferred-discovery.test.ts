// A driver opened with deferred discovery (the server's start-up on a large fabric): it answers
// before the LDs behind MLDs are read, and no decision is ever made on a partial directory. A
// command that needs an LD not read yet waits for the walk and gets the same decision a complete
// walk gives.

import { describe, expect, it } from 'vitest';
import { requestMessage } from '../../src/cci/message.js';
import { createSystem } from '../../src/system.js';

// Default topology: port 2 is an MLD with 4 LDs (LD 1 bound to VCS 1), port 1 an SLD.
const LD = [{ id: 2 }, { id: 1 }];

async function drivers() {
  const deferred = await createSystem({ clockMode: 'manual' }).openDriver({ maxScope: 'full', discovery: 'deferred' });
  const complete = await createSystem({ clockMode: 'manual' }).openDriver({ maxScope: 'full' });
  return { deferred, complete };
}

describe('deferred discovery', () => {
  it('opens with the switch and each DSP device read, the LDs behind MLDs still to come', async () => {
    const { deferred, complete } = await drivers();
    expect(deferred.cci([])).toBeDefined();
    expect(deferred.cci([{ id: 1 }])).toBeDefined();
    expect(deferred.cci([{ id: 2 }])).toBeDefined();
    expect(complete.cci(LD)).toBeDefined();
    await deferred.whenDiscovered();
    // Once the walk is done the two directories agree route by route.
    const routes = (d: typeof deferred) => d.status().ccis.map((c) => `${c.route} ${c.kind} ${c.commands}`).sort();
    expect(routes(deferred)).toEqual(routes(complete));
  });

  it('a tunnelled command to an LD not yet read waits for the walk and then runs', async () => {
    const { deferred, complete } = await drivers();
    // Identify Memory Device (4000h) of LD 1 behind port 2, submitted at once.
    const a = await deferred.submit({ opcode: 0x4000, tunnel: LD, scope: 'read-only' });
    const b = await complete.submit({ opcode: 0x4000, tunnel: LD, scope: 'read-only' });
    expect(a.refused).toBe(false);
    expect(b.refused).toBe(false);
    if (!a.refused && !b.refused) {
      expect(a.rc).toBe(0);
      expect(Buffer.from(a.payload).toString('hex')).toBe(Buffer.from(b.payload).toString('hex'));
    }
  });

  it('refuses a destructive tunnelled command exactly as a complete walk does', async () => {
    const { deferred, complete } = await drivers();
    // Sanitize (4400h) of that LD at read-only scope.
    const a = await deferred.submit({ opcode: 0x4400, tunnel: LD, scope: 'read-only' });
    const b = await complete.submit({ opcode: 0x4400, tunnel: LD, scope: 'read-only' });
    expect(a).toMatchObject({ refused: true });
    expect(b).toMatchObject({ refused: true });
    if (a.refused && b.refused) {
      expect(a.reason).toBe(b.reason);
      expect(a.decision.class).toBe('destructive');
    }
  });

  it('an MMPT message that carries a tunnelled command to an unread LD is judged after the walk', async () => {
    const { deferred, complete } = await drivers();
    // FM-API message type 07h carrying Tunnel Management Command (5300h) to port 2, whose payload
    // tunnels again to LD 1 with Sanitize (4400h): destructive, refused at read-only.
    const tunnel = (id: number, cmd: Uint8Array): Uint8Array => Uint8Array.from([id, 0x00, cmd.length & 0xff, cmd.length >> 8, ...cmd]);
    const toLd = tunnel(1, requestMessage(0x4400, new Uint8Array(0), 3));
    const toPort = tunnel(2, requestMessage(0x5300, toLd, 2));
    const msg = Uint8Array.from([0x07, ...requestMessage(0x5300, toPort, 1)]);
    const r = await deferred.mmptChannel().send(msg, 'read-only');
    const c = await complete.mmptChannel().send(msg, 'read-only');
    expect(r.refused).toBe(true);
    if (r.refused && c.refused) {
      expect(r.decision.innerOpcode).toBe(0x4400);
      expect(r.reason).toBe(c.reason);
    }
  });
});
