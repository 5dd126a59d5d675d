// A driver opened with deferred discovery (the server's start-up on a large fabric): it answers
// before the LDs behind MLDs are read, and no decision is ever made on a partial directory. A
// command that needs an LD not read yet waits for the walk and gets the same decision a complete
// walk gives.

import { describe, expect, it } from 'vitest';
import { requestMessage } from '../../src/cci/message.js';
import { createSystem } from '../../src/system.js';
import { parseTopologyText } from '../../src/topology/index.js';

// Five DSPs, each a 16-LD MLD: 80 LDs behind MLDs, above the 64 a deferred open reads at once.
function bigTopology() {
  const ports: object[] = [{ id: 0, role: 'usp', maxWidth: 16, maxSpeed: 32 }];
  for (let id = 1; id <= 5; id++) ports.push({ id, role: 'dsp', maxWidth: 16, maxSpeed: 32, device: { kind: 'type3', mode: 'mld', ldCount: 16, capacity: '16GiB', serialNumber: `0x${(0x100 + id).toString(16)}` } });
  const parsed = parseTopologyText(JSON.stringify({ switch: { serialNumber: '0x77', vendorId: 0x1e98, deviceId: 0x5100, ingressPort: 0 }, ports, vcs: [{ id: 0, usp: 0, downstreamVppbs: 4 }], bindings: [] }));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

// The last LD of the last MLD: the walk reaches it last.
const LD = [{ id: 5 }, { id: 15 }];

/**
 * A deferred driver whose walk stops at a gate after its first LD until the test opens it, and a
 * complete one on a twin system.
 */
async function drivers() {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const deferred = await createSystem({ clockMode: 'manual', topology: bigTopology() }).openDriver({ maxScope: 'full', discovery: 'deferred', yieldDuringDiscovery: () => gate });
  const complete = await createSystem({ clockMode: 'manual', topology: bigTopology() }).openDriver({ maxScope: 'full' });
  return { deferred, complete, open: () => open() };
}

describe('deferred discovery', () => {
  it('opens with the switch and each DSP device read, the LDs behind MLDs still to come', async () => {
    const { deferred, complete, open } = await drivers();
    expect(deferred.cci([])).toBeDefined();
    expect(deferred.cci([{ id: 1 }])).toBeDefined();
    expect(deferred.cci([{ id: 5 }])).toBeDefined();
    expect(deferred.cci(LD)).toBeUndefined(); // not read yet: the walk waits at the gate
    expect(complete.cci(LD)).toBeDefined();
    open();
    await deferred.whenDiscovered();
    expect(deferred.cci(LD)).toBeDefined();
    // Once the walk is done the two directories agree route by route.
    const routes = (d: typeof deferred) => d.status().ccis.map((c) => `${c.route} ${c.kind} ${c.commands}`).sort();
    expect(routes(deferred)).toEqual(routes(complete));
  });

  it('a tunnelled command to an LD not yet read waits for the walk and then runs', async () => {
    const { deferred, complete, open } = await drivers();
    // Identify Memory Device (4000h) of that LD, submitted before the walk reaches it.
    const pending = deferred.submit({ opcode: 0x4000, tunnel: LD, scope: 'read-only' });
    open();
    const a = await pending;
    const b = await complete.submit({ opcode: 0x4000, tunnel: LD, scope: 'read-only' });
    expect(a.refused).toBe(false);
    expect(b.refused).toBe(false);
    if (!a.refused && !b.refused) {
      expect(a.rc).toBe(0);
      expect(Buffer.from(a.payload).toString('hex')).toBe(Buffer.from(b.payload).toString('hex'));
    }
  });

  it('refuses a destructive tunnelled command exactly as a complete walk does', async () => {
    const { deferred, complete, open } = await drivers();
    // Sanitize (4400h) of that LD at read-only scope, before the walk reaches it.
    const pending = deferred.submit({ opcode: 0x4400, tunnel: LD, scope: 'read-only' });
    open();
    const a = await pending;
    const b = await complete.submit({ opcode: 0x4400, tunnel: LD, scope: 'read-only' });
    expect(a).toMatchObject({ refused: true });
    expect(b).toMatchObject({ refused: true });
    if (a.refused && b.refused) {
      expect(a.reason).toBe(b.reason);
      expect(a.decision.class).toBe('destructive');
    }
  });

  it('an MMPT message that carries a tunnelled command to an unread LD is judged after the walk', async () => {
    const { deferred, complete, open } = await drivers();
    // FM-API message type 07h carrying Tunnel Management Command (5300h) to port 5, whose payload
    // tunnels again to LD 15 with Sanitize (4400h): destructive, refused at read-only.
    const tunnel = (id: number, cmd: Uint8Array): Uint8Array => Uint8Array.from([id, 0x00, cmd.length & 0xff, cmd.length >> 8, ...cmd]);
    const toLd = tunnel(15, requestMessage(0x4400, new Uint8Array(0), 3));
    const toPort = tunnel(5, requestMessage(0x5300, toLd, 2));
    const msg = Uint8Array.from([0x07, ...requestMessage(0x5300, toPort, 1)]);
    const pending = deferred.mmptChannel().send(msg, 'read-only');
    open();
    const r = await pending;
    const c = await complete.mmptChannel().send(msg, 'read-only');
    expect(r.refused).toBe(true);
    if (r.refused && c.refused) {
      expect(r.decision.innerOpcode).toBe(0x4400);
      expect(r.reason).toBe(c.reason);
    }
  });
});
