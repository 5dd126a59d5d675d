import { describe, expect, it } from 'vitest';
import { defineCommand, emptyCodec, ok } from '../cci/command.js';
import { GiB, MiB, le, makeLd, zeros } from '../../test/type3/ld-harness.js';
import type { LogicalDevice } from './logical-device.js';

const SUCCESS = 0x00;
const UNSUPPORTED = 0x03;
const CEL_UUID = '0da9c0b5bf414b788f7996b1623b3f17';

/** The LD-side opcodes and their CEL effects (CXL r3.2 Table 8-87 bits), restated. */
const LD_EFFECTS: [number, number][] = [
  [0x0100, 0x0000],
  [0x0101, 0x0010], // log change
  [0x0102, 0x0000],
  [0x0103, 0x0008], // immediate policy (r3.2 8.2.10.2.5)
  [0x0200, 0x0000],
  [0x0201, 0x0f41], // cold + CEL[11:10] valid + conventional + CXL reset, background, abort
  [0x0202, 0x0e03], // the three resets + CEL[11:10] valid + immediate config (foreground here)
  [0x0500, 0x0000],
  [0x0501, 0x0000],
  [0x0502, 0x0002],
  [0x4000, 0x0000],
  [0x4100, 0x0000],
  [0x4101, 0x0e07], // the three resets + CEL[11:10] valid + immediate config + data
  [0x4102, 0x0000],
  [0x4103, 0x0006], // immediate config + data
  [0x4200, 0x0000],
  [0x4201, 0x0000],
  [0x4202, 0x0008], // immediate policy
  [0x4203, 0x0000],
  [0x4204, 0x0008],
  [0x4300, 0x0000],
  [0x4301, 0x0004],
  [0x4302, 0x0004],
  [0x4303, 0x0000],
  [0x4304, 0x0140],
  [0x4305, 0x0000],
  [0x4400, 0x0164], // data + security + background + abort
  [0x4401, 0x0064], // data + security + background
  [0x4500, 0x0000],
];

function readCel(send: ReturnType<typeof makeLd>['send']): [number, number][] {
  const logs = send(0x0400);
  expect(logs.rc).toBe(SUCCESS);
  const size = logs.bytes[0x18]! | (logs.bytes[0x19]! << 8);
  const r = send(0x0401, CEL_UUID + le(0, 4) + le(size, 4));
  expect(r.rc).toBe(SUCCESS);
  const out: [number, number][] = [];
  for (let i = 0; i < r.bytes.length; i += 4) out.push([r.bytes[i]! | (r.bytes[i + 1]! << 8), r.bytes[i + 2]! | (r.bytes[i + 3]! << 8)]);
  return out;
}

describe('LogicalDevice CCI', () => {
  it('its CEL lists exactly its command table, with the spec effects of the LD commands', () => {
    const { ld, send } = makeLd();
    const cel = readCel(send);
    expect(cel.map(([op]) => op)).toEqual(ld.cci.commands().map((c) => c.opcode));
    for (const [op, eff] of LD_EFFECTS) expect(cel).toContainEqual([op, eff]);
    // The generic commands a tunnelled CCI needs are there too.
    for (const op of [0x0001, 0x0002, 0x0005, 0x0300, 0x0301, 0x0400, 0x0401]) expect(cel.map(([o]) => o)).toContain(op);
    // No DCD host commands unless T2 adds them.
    expect(cel.some(([op]) => op >> 8 === 0x48)).toBe(false);
  });

  it('every LD command is dispatchable and nothing else is', () => {
    const { send } = makeLd();
    expect(send(0x4600).rc).toBe(UNSUPPORTED);
    expect(send(0x4800, '0000').rc).toBe(UNSUPPORTED);
  });

  it('extra commands join the table and the CEL', () => {
    const probe = defineCommand({
      opcode: 0x4800,
      name: 'Probe',
      spec: 'test',
      input: { fixed: 0 },
      effects: 0,
      request: emptyCodec,
      response: { decode: () => ({ ok: false, rc: 3 }), encode: (n: number) => Uint8Array.of(n) },
      handle: (_r, { device }: { device: LogicalDevice }) => ok(device.id),
    });
    const { send } = makeLd({ id: 7, extraCommands: [probe] });
    expect(send(0x4800).hex).toBe('07');
    expect(readCel(send)).toContainEqual([0x4800, 0]);
  });

  it('Identify reports a type 3 component with the LD serial number', () => {
    const { send } = makeLd({ vendorId: 0x1234, deviceId: 0xabcd });
    const r = send(0x0001);
    expect(r.hex.slice(0, 16)).toBe('3412cdab' + '0000' + '0000');
    expect(r.hex.slice(16, 32)).toBe('8877665544332211');
    expect(r.hex.slice(34, 36)).toBe('03');
  });
});

describe('LogicalDevice state', () => {
  it('setCapacity moves Identify, the partition, and drops media and poison past the new end', () => {
    const { ld, send } = makeLd();
    ld.media.write(0x10000n, Uint8Array.of(1));
    ld.media.write(768n * MiB, Uint8Array.of(2));
    send(0x4301, le(768n * MiB, 8));
    ld.setCapacity(512n * MiB, 256n * MiB);
    expect(send(0x4000).hex.slice(0x20, 0x30)).toBe(le(2, 8));
    expect(send(0x4100).hex).toBe(le(1, 8) + le(1, 8) + le(0, 8) + le(0, 8)); // Next 0/0: nothing pending
    expect(ld.media.storedLines).toBe(1);
    expect(ld.poison.records.length).toBe(0);
    expect(send(0x4301, le(512n * MiB, 8)).rc).toBe(0x0f);
  });

  it('setCapacity refuses sizes off the 256 MiB grid or a persistent part above the total', () => {
    const { ld } = makeLd();
    expect(() => ld.setCapacity(100n * MiB, 0n)).toThrow(RangeError);
    expect(() => ld.setCapacity(GiB, 2n * GiB)).toThrow(RangeError);
    expect(ld.capacityBytes).toBe(GiB);
  });

  it('keeps GiB-sized media sparse', () => {
    const { ld } = makeLd({ capacityBytes: 64n * GiB, persistentBytes: 0n });
    ld.media.write(63n * GiB + 60n, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(ld.media.storedLines).toBe(2);
    expect(Array.from(ld.media.read(63n * GiB + 60n, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(ld.media.read(0n, 4))).toEqual([0, 0, 0, 0]);
  });

  it('a reset loses volatile contents and events, and keeps persistent contents, LSA and poison', () => {
    const { ld, send } = makeLd();
    // Volatile first (512 MiB), then persistent.
    ld.media.write(0n, Uint8Array.of(0xaa));
    ld.media.write(600n * MiB, Uint8Array.of(0xbb));
    send(0x4103, le(0, 4) + zeros(4) + 'cc');
    send(0x4301, le(0x40, 8));
    ld.events.add(0, new Uint8Array(128));
    ld.reset();
    expect(ld.media.read(0n, 1)[0]).toBe(0);
    expect(ld.media.read(600n * MiB, 1)[0]).toBe(0xbb);
    expect(send(0x4102, le(0, 4) + le(1, 4)).hex).toBe('cc');
    expect(ld.poison.records.length).toBe(1);
    expect(ld.events.status()).toBe(0);
  });

  it('signals Event Status changes', () => {
    const { ld, send } = makeLd();
    const seen: number[] = [];
    ld.events.notify.on('status', (e) => seen.push(e.status));
    ld.events.add(4, new Uint8Array(128));
    // Clear Event Records by handle 1 (Clear All needs an overflowed log, CXL r3.2 8.2.10.2.3)
    send(0x0101, '04' + '00' + '01' + zeros(3) + '0100');
    expect(seen).toEqual([0x10, 0x00]);
  });
});
