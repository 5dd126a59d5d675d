// Same request, same answer, on every transport, at the edges of the message-size model
// (src/cci/message-size.ts) and for the requests Jackrabbit Labs' `jack` sends. Each case is a
// sequence of requests run on a fresh system per transport: the switch mailbox registers with no
// filter, the host driver's submit (filter at scope full), and the MCTP listener in the spec and
// jrl dialects (filter at scope full). Every transport must give the same return codes and bytes;
// golden values restated from the spec pin what that answer is. Tunnelled requests go through the
// same transports as Tunnel Management Commands.

import { afterEach, describe, expect, it } from 'vitest';
import { startMctpServer, type MctpServer } from '../../emulator/mctp-server.js';
import { unwrapTunnelResponses, wrapInTunnels } from '../../src/commands/tunnel/tunnel-payload.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import { createSystem, type EmulatorSystem } from '../../src/system.js';
import { DEFAULT_TOPOLOGY, type Topology } from '../../src/topology/index.js';
import { hx, TestClient } from '../mctp/client.js';
import { mctpMessage, overMctp, unwrap } from '../mctp/session.js';

interface Req {
  readonly opcode: number;
  readonly payload?: Uint8Array;
  readonly route?: readonly number[];
}
interface Answer {
  readonly rc: number;
  readonly payload: string;
}
/** mctp-jrl-07: the jrl dialect with every message sent as type 07h, as jack sends them. */
type Transport = 'registers' | 'driver' | 'mctp-spec' | 'mctp-jrl' | 'mctp-jrl-07';
const TRANSPORTS: readonly Transport[] = ['registers', 'driver', 'mctp-spec', 'mctp-jrl'];

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** A topology with one field changed on the switch or on the device at `port`. */
function topologyWith(change: { switch?: number; port?: number; device?: number }): Topology {
  return {
    ...DEFAULT_TOPOLOGY,
    switch: { ...DEFAULT_TOPOLOGY.switch, ...(change.switch !== undefined ? { payloadSizeLog2: change.switch } : {}) },
    ports: DEFAULT_TOPOLOGY.ports.map((p) =>
      p.id === change.port && p.device?.kind === 'type3' && change.device !== undefined ? { ...p, device: { ...p.device, payloadSizeLog2: change.device } } : p,
    ),
  };
}

async function sender(t: Transport, sys: EmulatorSystem): Promise<(r: Req) => Promise<Answer>> {
  if (t === 'registers') {
    const fn = sys.switchFunction;
    const mb = await MailboxDriver.attach(fn.bar0, { clock: sys.clock, config: fn.config });
    return async (r) => {
      const route = (r.route ?? []).map((id) => ({ id }));
      const w = wrapInTunnels(route, r.opcode, r.payload ?? new Uint8Array(0));
      const res = await mb.send(w.opcode, w.payload, { background: 'return' });
      if (route.length === 0 || res.rc !== 0) return { rc: res.rc, payload: hx(res.payload) };
      const inner = unwrapTunnelResponses(res.payload, route.length);
      if (!inner) throw new Error('malformed tunnel response');
      return { rc: inner.rc, payload: hx(inner.payload) };
    };
  }
  const driver = await sys.openDriver({ maxScope: 'full' });
  if (t === 'driver') {
    return async (r) => {
      const res = await driver.submit({ opcode: r.opcode, payload: r.payload ?? new Uint8Array(0), tunnel: (r.route ?? []).map((id) => ({ id })), scope: 'full', background: 'return' });
      if (res.refused) throw new Error(`refused: ${res.reason}`);
      return { rc: res.rc, payload: hx(res.payload) };
    };
  }
  const dialect = t === 'mctp-spec' ? 'spec' : 'jrl';
  const server: MctpServer = await startMctpServer({ system: sys, driver, port: 0, host: '127.0.0.1', dialect, scope: 'full' });
  const client = await TestClient.connect(server.port);
  cleanup.push(async () => {
    client.close();
    await server.close();
  });
  let tag = 0;
  if (t === 'mctp-jrl-07') {
    return async (r) => {
      const step = { name: '', opcode: r.opcode, payload: r.payload ?? new Uint8Array(0), route: r.route ?? [] };
      const msg = mctpMessage(step, true, tag);
      msg[0] = 0x07;
      client.request(msg, { tag });
      tag = (tag + 1) & 7;
      const res = unwrap((await client.message()).bytes, step.route.length, true);
      return { rc: res.rc, payload: hx(res.payload) };
    };
  }
  return (r) => overMctp(client, { name: '', opcode: r.opcode, payload: r.payload ?? new Uint8Array(0), route: r.route ?? [] }, dialect === 'jrl', tag++ & 7);
}

/** Run `steps` on a fresh system per transport; assert they agree; return the common answers. */
async function sameEverywhere(steps: readonly Req[], opts: { topology?: Topology; setup?: (sys: EmulatorSystem) => void; jack07?: boolean } = {}): Promise<Answer[]> {
  const results = new Map<Transport, Answer[]>();
  const transports: Transport[] = [...TRANSPORTS, ...(opts.jack07 ? ['mctp-jrl-07' as const] : [])];
  for (const t of transports) {
    const sys = createSystem(opts.topology ? { topology: opts.topology } : {});
    opts.setup?.(sys);
    const send = await sender(t, sys);
    const out: Answer[] = [];
    for (const s of steps) out.push(await send(s));
    results.set(t, out);
  }
  const ref = results.get('registers') ?? [];
  for (const t of transports) expect(results.get(t), t).toEqual(ref);
  return ref;
}

const u8 = (...b: number[]): Uint8Array => Uint8Array.of(...b);
const le64 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0];
const allPorts = (n: number): Uint8Array => u8(n, ...Array.from({ length: n }, (_, i) => i));
/** Set LSA (4103h): u32 offset, u32 reserved, then `n` data bytes. */
const setLsa = (n: number): Uint8Array => new Uint8Array(8 + n).fill(0x5a, 8);

describe('one message-size model, the same answer on every transport', () => {
  it('by default every mailbox is 2^10: Mailbox Capabilities, Identify and the response limit agree', async () => {
    // CXL r3.2 8.2.8.4.3 Mailbox Capabilities bits 4:0 Payload Size; 8.2.10.1.1 Identify 10h.
    const sys = createSystem();
    for (const name of ['switch', 'port1.ld0', 'port2.ld0', 'port3.ld0']) {
      const fn = name === 'switch' ? sys.switchFunction : sys.mailboxFunction(name);
      if (!fn) throw new Error(`no ${name}`);
      const mb = await MailboxDriver.attach(fn.bar0, { clock: sys.clock, config: fn.config });
      expect(mb.payloadSize, name).toBe(1024);
      expect((await mb.send(0x0001, new Uint8Array(0))).payload[0x10], name).toBe(0x0a);
      expect([...(await mb.send(0x0003, new Uint8Array(0))).payload], name).toEqual([0x0a]);
      // A whole 1 KiB request fits the registers and the message size: Set LSA with 1016 data bytes.
      if (name !== 'switch') expect((await mb.send(0x4103, setLsa(1016))).rc, name).toBe(0);
    }
  });

  it('Identify advertises 2^10 for a 2 KiB mailbox; the response message limit is 2^8..2^10', async () => {
    const a = await sameEverywhere([
      { opcode: 0x0001 },
      { opcode: 0x0003 },
      { opcode: 0x0004, payload: u8(0x0b) }, // 2^11: outside the field's range
      { opcode: 0x0004, payload: u8(0x07) },
      { opcode: 0x0004, payload: u8(0x09) },
      { opcode: 0x0003 },
      { opcode: 0x0001, route: [1] },
      { opcode: 0x0003, route: [2, 1] },
      { opcode: 0x0002 },
    ], { jack07: true, topology: topologyWith({ switch: 11, port: 1, device: 11 }) }); // jack's `show id`, `show limit`, `show bos`: all as type 07h
    expect(a.map((x) => x.rc)).toEqual([0, 0, 0x02, 0x02, 0, 0, 0, 0, 0]);
    expect(a[8]?.payload.length).toBe(8 * 2);
    expect(a[0]?.payload.slice(0x10 * 2)).toBe('0a00'); // max message size 2^10, component type 0 (switch)
    expect(a[1]?.payload).toBe('0a');
    expect(a[4]?.payload).toBe('09');
    expect(a[5]?.payload).toBe('09');
    expect(a[6]?.payload.slice(0x10 * 2)).toBe('0a03'); // the SLD: 2^10, type 3
    expect(a[7]?.payload).toBe('0a');
  });

  it("Get Physical Port State for 255 ports (jack's `show port -a`) returns the blocks that fit the limit", async () => {
    const a = await sameEverywhere(
      [
        { opcode: 0x5101, payload: allPorts(255) },
        { opcode: 0x0004, payload: u8(0x08) },
        { opcode: 0x5101, payload: allPorts(255) },
      ],
      { jack07: true },
    );
    expect(a.map((x) => x.rc)).toEqual([0, 0, 0]);
    // 1 KiB: (1024 - 4) / 16 = 63 blocks, 4 + 63 x 16 = 1012 bytes; Number of Ports says 63.
    expect(a[0]?.payload.length).toBe(1012 * 2);
    expect(a[0]?.payload.slice(0, 8)).toBe('3f000000');
    // 256 bytes: 15 blocks.
    expect(a[2]?.payload.length).toBe((4 + 15 * 16) * 2);
    expect(a[2]?.payload.slice(0, 8)).toBe('0f000000');
  });

  it('a request above the advertised 2^10 is Invalid Payload Length, tunnelled too, even through a 2 KiB mailbox', async () => {
    // A topology asking for 2 KiB registers (switch and port 1's SLD): the registers carry 1025
    // bytes, the model still refuses them. Tunnel request to port 1 = 4 + 12 + Set LSA (8 + n):
    // n = 1000 is exactly 1024 bytes.
    const topology = topologyWith({ switch: 11, port: 1, device: 11 });
    const a = await sameEverywhere([
      { opcode: 0x4103, payload: setLsa(1000), route: [1] },
      { opcode: 0x4103, payload: setLsa(1001), route: [1] },
      { opcode: 0x0001, payload: new Uint8Array(1025) },
      { opcode: 0x4102, payload: u8(0, 0, 0, 0, 0xf8, 0x07, 0, 0), route: [1] }, // Get LSA 2040 bytes (libcxl's chunk for 2 KiB)
    ], { topology });
    expect(a.map((x) => x.rc)).toEqual([0, 0x16, 0x16, 0x02]);

    // The SLD's own 2 KiB mailbox: Payload Size 0Bh in its registers, 0Ah in Identify, and a
    // Set LSA chunk sized from the registers (2048 - 8 data bytes, as libcxl writes) is refused.
    const sys = createSystem({ topology });
    const fn = sys.mailboxFunction('port1.ld0');
    if (!fn) throw new Error('no port1.ld0');
    expect(Number(fn.bar0.read(0x80, 4)) & 0x1f).toBe(0x0b);
    const mb = await MailboxDriver.attach(fn.bar0, { clock: sys.clock, config: fn.config });
    expect(mb.payloadSize).toBe(2048);
    expect((await mb.send(0x0001, new Uint8Array(0))).payload[0x10]).toBe(0x0a);
    expect((await mb.send(0x4103, setLsa(2040))).rc).toBe(0x16);
    expect((await mb.send(0x4103, setLsa(1016))).rc).toBe(0);
  });

  it('a device that advertises 2^9 refuses a 513-byte tunnelled request with its own Invalid Payload Length', async () => {
    const topology = topologyWith({ port: 1, device: 9 });
    const a = await sameEverywhere(
      [
        { opcode: 0x0001, route: [1] },
        { opcode: 0x0003, route: [1] },
        { opcode: 0x4103, payload: setLsa(504), route: [1] },
        { opcode: 0x4103, payload: setLsa(505), route: [1] },
        { opcode: 0x4102, payload: u8(0, 0, 0, 0, 0x00, 0x02, 0, 0), route: [1] }, // Get LSA 512 bytes: its whole 2^9 limit
        { opcode: 0x4102, payload: u8(0, 0, 0, 0, 0x01, 0x02, 0, 0), route: [1] }, // 513: over it
      ],
      { topology },
    );
    expect(a[0]?.payload.slice(0x10 * 2)).toBe('0903');
    expect(a[1]?.payload).toBe('09');
    expect(a.slice(2).map((x) => x.rc)).toEqual([0, 0x16, 0, 0x02]);
    expect(a[4]?.payload.length).toBe(512 * 2);

    // The LD's own mailbox registers (2^9 bytes) answer the same.
    const sys = createSystem({ topology });
    const fn = sys.mailboxFunction('port1.ld0');
    if (!fn) throw new Error('no port1.ld0');
    const mb = await MailboxDriver.attach(fn.bar0, { clock: sys.clock, config: fn.config });
    expect(mb.payloadSize).toBe(512);
    expect((await mb.send(0x4103, setLsa(504))).rc).toBe(0);
    expect((await mb.send(0x0001, new Uint8Array(0))).payload[0x10]).toBe(9);
  });

  it('a switch configured for 2^8 advertises it and cuts Get Physical Port State to 15 blocks', async () => {
    const a = await sameEverywhere([{ opcode: 0x0001 }, { opcode: 0x5101, payload: allPorts(20) }], { topology: topologyWith({ switch: 8 }) });
    expect(a[0]?.payload.slice(0x10 * 2, 0x11 * 2)).toBe('08');
    expect(a[1]?.payload.slice(0, 2)).toBe('0f');
  });

  it('a Get Poison List of 130 records through the tunnel fits it, cut with the More flag', async () => {
    const setup = (sys: EmulatorSystem): void => {
      const ld = sys.ccis().get('port1.ld0');
      for (let i = 0; i < 130; i++) expect(ld?.process(0x4301, u8(...le64(i * 64))).rc).toBe(0);
    };
    const list = { opcode: 0x4300, payload: u8(0, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0), route: [1] };
    const a = await sameEverywhere([list, list, list], { setup });
    expect(a.map((x) => x.rc)).toEqual([0, 0, 0]);
    // The switch's 1024 bytes less 16 of tunnel framing: (1008 - 32) / 16 = 61 records.
    const counts = a.map((x) => parseInt((x.payload.slice(0x0a * 2, 0x0a * 2 + 2) ?? ''), 16));
    expect(counts).toEqual([61, 61, 8]);
    expect(a.map((x) => parseInt(x.payload.slice(0, 2), 16) & 1)).toEqual([1, 1, 0]); // More Media Error Records
    expect(a[0]?.payload.length).toBe(1008 * 2);

    // Directly on the LD's mailbox the full 1 KiB limit applies: 62 records.
    const sys = createSystem();
    setup(sys);
    const fn = sys.mailboxFunction('port1.ld0');
    if (!fn) throw new Error('no port1.ld0');
    const mb = await MailboxDriver.attach(fn.bar0, { clock: sys.clock, config: fn.config });
    const direct = await mb.send(0x4300, list.payload);
    expect(direct.payload[0x0a]).toBe(62);
  });

  it("a tunnel to a port with no device answers the switch's own Invalid Input (the filter does not refuse it)", async () => {
    const a = await sameEverywhere([
      { opcode: 0x0001, route: [5, 1] }, // LD 1 sits behind the MHD's other head: this head's FM-owned LD answers
      { opcode: 0x0001, route: [4] }, // a plain PCIe device
      { opcode: 0x0001, route: [7] }, // disabled port
      { opcode: 0x0001, route: [200] }, // no such port
      { opcode: 0x0001, route: [2, 9] }, // an LD the MLD does not have: its FM-owned LD answers
      { opcode: 0x0001, route: [2, 1] },
    ]);
    expect(a.map((x) => x.rc)).toEqual([0x02, 0x02, 0x02, 0x02, 0x02, 0]);
  });

  it("jack's requests: an LD memory read with trailing data bytes, QoS reads for more LDs than exist", async () => {
    const read = [2, 0x00, 0xf0, 0x0f, 2, 0, 8, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0];
    const a = await sameEverywhere([
      { opcode: 0x5302, payload: u8(...read) },
      { opcode: 0x5302, payload: u8(...read, ...new Array<number>(8).fill(0)) },
      { opcode: 0x5406, payload: u8(16, 0), route: [2] },
      { opcode: 0x5408, payload: u8(16, 0), route: [2] },
      { opcode: 0x5406, payload: u8(1, 4), route: [2] },
    ]);
    expect(a.map((x) => x.rc)).toEqual([0, 0, 0, 0, 0x02]);
    expect(a[1]).toEqual(a[0]);
    expect(a[0]?.payload.slice(0, 8)).toBe('08000000');
    // Four LDs exist: the answer covers LDs 0-3 (byte 0 count, byte 1 start LD).
    expect(a[2]?.payload.slice(0, 4)).toBe('0400');
    expect(a[2]?.payload.length).toBe((2 + 4) * 2);
    expect(a[3]?.payload.slice(0, 4)).toBe('0400');
  });
});
