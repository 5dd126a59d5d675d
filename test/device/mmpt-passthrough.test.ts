// Cross-layer: MMPT Send/Receive Message (0100h/0101h) through the switch function's BAR, with
// the notification register and interrupt of the MMPT capability reporting the queued response.

import { describe, expect, it } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, ok, rawCodec } from '../../src/cci/command.js';
import { mmptCommands, type MmptDevice } from '../../src/commands/mmpt/index.js';
import { createSwitchCciFunction } from '../../src/device/switch-cci-function.js';
import { MmptQueue } from '../../src/mmpt/queue.js';
import { findCap, makeClock, outputLength, readPayload, returnCode, ring } from './harness.js';

const reverse = defineCommand<MmptDevice, Uint8Array, Uint8Array>({
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
  const cci = new Cci<MmptDevice>({
    name: 'switch',
    clock,
    identity: { vendorId: 0x19e5, deviceId: 0xa128, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1n, componentType: 0 },
    device: { mmpt: queue },
    commands: [reverse, ...mmptCommands],
    maxPayload: 2048,
  });
  const fn = createSwitchCciFunction({ cci, clock, mmpt: queue });
  const irqs: string[] = [];
  fn.events.on('interrupt', (i) => irqs.push(`${i.vector}:${i.cause}`));
  const bar = fn.bar0;
  const mcap = fn.config.read(0x128, 4) & 0xffff0000; // MRBL locator -> MCAP array
  const mmb = findCap(bar, mcap, 0x0001, 0x0001) ?? -1;
  const mmpt = findCap(bar, mcap, 0x0002, 0x0001) ?? -1;
  return { fn, bar, mmb, mmpt, irqs, queue };
}

describe('MMPT through the MMB', () => {
  it('Send Message queues the response; notification and interrupt say so; Receive Message fetches it', () => {
    const s = setup();
    s.fn.config.write(0x42, 2, 0x8000);
    s.bar.write(0x11000 + 16 + 12, 4, 0n); // unmask vector 1
    s.bar.write(s.mmpt + 4, 4, 1n);

    // type 08h, header: request, tag 5Ah, opcode C002h, length 2, then payload AA BB
    const msg = Uint8Array.of(0x08, 0x00, 0x5a, 0x00, 0x02, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb);
    ring(s.bar, s.mmb, 0x0100, msg);
    expect(returnCode(s.bar, s.mmb)).toBe(0);
    expect(s.bar.read(s.mmpt + 8, 4)).toBe(0x0101n);
    expect(s.irqs).toEqual(['1:mmpt']);

    ring(s.bar, s.mmb, 0x0101);
    expect(returnCode(s.bar, s.mmb)).toBe(0);
    expect(outputLength(s.bar, s.mmb)).toBe(15);
    // type 08h, response, tag 5Ah, opcode C002h, length 2, rc 0, vendor 0, payload BB AA
    expect([...readPayload(s.bar, s.mmb, 15)]).toEqual([
      0x08, 0x01, 0x5a, 0x00, 0x02, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbb, 0xaa,
    ]);
    expect(s.bar.read(s.mmpt + 8, 4)).toBe(0n);
  });
});
