// The message-size model at the dispatcher (src/cci/message-size.ts): what Identify advertises,
// the request check, the response message limit's range, and a caller's response budget.

import { describe, expect, it } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, ok, rawCodec } from '../../src/cci/command.js';
import { genericCommands } from '../../src/commands/generic/index.js';
import { VirtualClock } from '../../src/time/clock.js';
import { hex, toHex } from '../helpers/hex.js';

// CXL r3.2 Table 8-34.
const SUCCESS = 0x00, INVALID_INPUT = 0x02, INTERNAL = 0x04, INVALID_LEN = 0x16;

/** Echoes its request; 0xc006 answers as many bytes as the response limit allows. */
function makeCci(maxPayload: number) {
  const echo = defineCommand({
    opcode: 0xc005, name: 'Test Echo', spec: 'test', input: { min: 0 }, effects: 0,
    request: rawCodec, response: rawCodec, handle: (b) => ok(b),
  });
  const fill = defineCommand({
    opcode: 0xc006, name: 'Test Fill', spec: 'test', input: { fixed: 0 }, effects: 0,
    request: rawCodec, response: rawCodec, handle: (_b, { cci }) => ok(new Uint8Array(cci.responseLimit)),
  });
  return new Cci({
    name: 'test', clock: new VirtualClock('manual'), device: undefined, maxPayload,
    identity: { vendorId: 1, deviceId: 2, subsystemVendorId: 0, subsystemId: 0, serialNumber: 1n, componentType: 3 },
    commands: [...genericCommands, echo, fill],
  });
}

describe('the message-size model at the dispatcher', () => {
  it.each([
    [256, 0x08],
    [512, 0x09],
    [2048, 0x0a],
    [1 << 20, 0x0a],
  ])('a %i-byte mailbox advertises 2^%i in Identify and as its starting response limit', (size, log2) => {
    const cci = makeCci(size);
    expect(cci.process(0x0001, new Uint8Array(0)).payload[0x10]).toBe(log2);
    expect(toHex(cci.process(0x0003, new Uint8Array(0)).payload)).toBe(log2.toString(16).padStart(2, '0'));
  });

  it('refuses a request above the advertised size with Invalid Payload Length, whatever the mailbox holds', () => {
    const big = makeCci(4096);
    expect(big.process(0xc005, new Uint8Array(1024)).rc).toBe(SUCCESS);
    expect(big.process(0xc005, new Uint8Array(1025)).rc).toBe(INVALID_LEN);
    const small = makeCci(256);
    expect(small.process(0xc005, new Uint8Array(256)).rc).toBe(SUCCESS);
    expect(small.process(0xc005, new Uint8Array(257)).rc).toBe(INVALID_LEN);
  });

  it('Set Response Message Limit takes 2^8..2^10, and no more than the CCI advertises', () => {
    const cci = makeCci(512);
    expect(cci.process(0x0004, hex('0b')).rc).toBe(INVALID_INPUT);
    expect(toHex(cci.process(0x0004, hex('0a')).payload)).toBe('09'); // its message size is 2^9
    expect(toHex(cci.process(0x0004, hex('08')).payload)).toBe('08');
    expect(cci.process(0xc006, new Uint8Array(0)).payload.length).toBe(256);
    cci.reset();
    expect(toHex(cci.process(0x0003, new Uint8Array(0)).payload)).toBe('09');
  });

  it("a caller's response budget holds for that request only; a reply that still would not fit is Internal Error", () => {
    const cci = makeCci(2048);
    expect(cci.process(0xc006, new Uint8Array(0), { responseBudget: 1008 }).payload.length).toBe(1008);
    expect(cci.process(0xc006, new Uint8Array(0)).payload.length).toBe(1024);
    expect(cci.process(0xc005, new Uint8Array(100), { responseBudget: 99 }).rc).toBe(INTERNAL);
    expect(cci.process(0xc005, new Uint8Array(100)).rc).toBe(SUCCESS);
  });
});
