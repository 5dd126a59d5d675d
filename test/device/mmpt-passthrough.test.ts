// Cross-layer: MMPT Send/Receive Message through the switch function's BAR. They are PCI-SIG MMB
// commands (0100h/0101h under Command Opcode Vendor ID 0001h, bits 63:48 of the Command register:
// src/commands/mmpt/mmpt-message.ts); the same opcodes under vendor 0000h or 1E98h are CXL's.

import { describe, expect, it } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, ok, rawCodec } from '../../src/cci/command.js';
import { createMmbCommandSet } from '../../src/commands/mmpt/index.js';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import type { MmioBus } from '../../src/device/bus.js';
import { MmptQueue } from '../../src/mmpt/queue.js';
import { findCap, makeClock, outputLength, readPayload, returnCode } from './harness.js';

const reverse = defineCommand<unknown, Uint8Array, Uint8Array>({
  opcode: 0xc002,
  name: 'Test Reverse',
  spec: 'test',
  input: { min: 0 },
  effects: 0,
  request: rawCodec,
  response: rawCodec,
  handle: (req) => ok(req.slice().reverse()),
});

function setup() {
  const clock = makeClock();
  const queue = new MmptQueue(4);
  const cci = new Cci<unknown>({
    name: 'switch',
    clock,
    identity: { vendorId: 0x19e5, deviceId: 0xa128, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1n, componentType: 0 },
    device: {},
    commands: [reverse],
    maxPayload: 2048,
  });
  const mmb = createMmbCommandSet({ clock, device: { mmpt: queue, target: cci }, maxPayload: 2048 });
  const fn = createSwitchCciFunction({ cci, mmb, clock, mmpt: queue });
  const irqs: string[] = [];
  fn.events.on('interrupt', (i) => irqs.push(`${i.vector}:${i.cause}`));
  const bar = fn.bar0;
  const mcap = fn.config.read(0x128, 4) & 0xffff0000; // MRBL locator -> MCAP array
  const mmb0 = findCap(bar, mcap, 0x0001, 0x0001) ?? -1;
  const mmpt = findCap(bar, mcap, 0x0002, 0x0001) ?? -1;
  return { fn, bar, mmb: mmb0, mmpt, irqs, queue };
}

/** Command register: opcode [15:0], length [36:16], Command Opcode Vendor ID [63:48]. */
function ringAs(bar: MmioBus, mb: number, vendor: number, opcode: number, input: Uint8Array = new Uint8Array(0)): void {
  for (let i = 0; i < input.length; i++) bar.write(mb + 0x20 + i, 1, BigInt(input[i] ?? 0));
  bar.write(mb + 0x08, 8, BigInt(opcode) | (BigInt(input.length) << 16n) | (BigInt(vendor) << 48n));
  bar.write(mb + 0x04, 4, 1n);
}

describe('MMPT through the MMB (vendor ID 0001h)', () => {
  it('Send Message queues the response; notification and interrupt say so; Receive Message fetches it', () => {
    const s = setup();
    s.fn.config.write(0x42, 2, 0x8000);
    s.bar.write(0x11000 + 16 + 12, 4, 0n); // unmask vector 1
    s.bar.write(s.mmpt + 4, 4, 1n);

    // type 08h, header: request, tag 5Ah, opcode C002h, length 2, then payload AA BB
    const msg = Uint8Array.of(0x08, 0x00, 0x5a, 0x00, 0x02, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb);
    ringAs(s.bar, s.mmb, 0x0001, 0x0100, msg);
    expect(returnCode(s.bar, s.mmb)).toBe(0);
    expect(s.bar.read(s.mmpt + 8, 4)).toBe(0x0101n);
    expect(s.irqs).toEqual(['1:mmpt']);
    // the completed Command register still names the vendor
    expect(s.bar.read(s.mmb + 0x08, 8) >> 48n).toBe(0x0001n);

    ringAs(s.bar, s.mmb, 0x0001, 0x0101);
    expect(returnCode(s.bar, s.mmb)).toBe(0);
    expect(outputLength(s.bar, s.mmb)).toBe(15);
    // type 08h, response, tag 5Ah, opcode C002h, length 2, rc 0, vendor 0, payload BB AA
    expect([...readPayload(s.bar, s.mmb, 15)]).toEqual([
      0x08, 0x01, 0x5a, 0x00, 0x02, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbb, 0xaa,
    ]);
    expect(s.bar.read(s.mmpt + 8, 4)).toBe(0n);
  });

  it('0100h under vendor 0000h or 1E98h is the CXL command (absent here: Unsupported) and queues nothing', () => {
    const s = setup();
    const msg = Uint8Array.of(0x08, 0x00, 0x5a, 0x00, 0x02, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
    for (const vendor of [0x0000, 0x1e98]) {
      ringAs(s.bar, s.mmb, vendor, 0x0100, msg);
      expect(returnCode(s.bar, s.mmb)).toBe(0x03);
    }
    expect(s.queue.depth).toBe(0);
    // and a CXL opcode under 1E98h runs on the CXL CCI
    ringAs(s.bar, s.mmb, 0x1e98, 0xc002, Uint8Array.of(1, 2));
    expect([...readPayload(s.bar, s.mmb, 2)]).toEqual([2, 1]);
  });

  it('a vendor ID nobody here defines commands for is Unsupported', () => {
    const s = setup();
    ringAs(s.bar, s.mmb, 0x8086, 0xc002, Uint8Array.of(1, 2));
    expect(returnCode(s.bar, s.mmb)).toBe(0x03);
    ringAs(s.bar, s.mmb, 0x0001, 0xc002, Uint8Array.of(1, 2)); // PCI-SIG set has no C002h
    expect(returnCode(s.bar, s.mmb)).toBe(0x03);
  });
});
