import { describe, expect, it, vi } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, emptyCodec, ok } from '../../src/cci/command.js';
import { genericCommands } from '../../src/commands/generic/index.js';
import { createMmbCommandSet } from '../../src/commands/mmpt/index.js';
import { MmptQueue } from '../../src/mmpt/queue.js';
import { VirtualClock } from '../../src/time/clock.js';
import { hex, toHex } from '../helpers/hex.js';

const SUCCESS = 0, INVALID_INPUT = 2, UNSUPPORTED = 3, RETRY = 5, INVALID_LEN = 0x16;

function make(capacity = 4) {
  const clock = new VirtualClock('manual');
  const mmpt = new MmptQueue(capacity);
  const fakeFm = defineCommand({
    opcode: 0x5100, name: 'Fake Identify Switch', spec: 'test', input: { fixed: 0 }, effects: 0,
    request: emptyCodec, response: { decode: () => ({ ok: true, value: 0 }), encode: () => hex('aabbcc') },
    handle: () => ok(0),
  });
  const cxl = new Cci({
    name: 'sw', clock, device: {}, maxPayload: 256,
    identity: { vendorId: 0x19e5, deviceId: 0xa128, subsystemVendorId: 0, subsystemId: 0, serialNumber: 0x1234n, componentType: 0 },
    commands: [...genericCommands, fakeFm],
  });
  // MMPT is the PCI-SIG MMB command set beside the CXL CCI, not part of its table.
  const cci = createMmbCommandSet({ clock, device: { mmpt, target: cxl }, maxPayload: 256 });
  return { cci, cxl, mmpt };
}

// message = type byte, then CCI header: cat, tag, rsvd, cmd, set, len[3], rc[2], vendor[2]
describe('MMPT Send/Receive Message', () => {
  it('runs a CXL CCI message (type 0x08) and queues its response for Receive Message', () => {
    const { cci, mmpt } = make();
    const queued = vi.fn();
    mmpt.events.on('queued', queued);
    expect(cci.process(0x0100, hex('08' + '00' + '2a' + '00' + '03' + '00' + '000000' + '0000' + '0000')).rc).toBe(SUCCESS);
    expect(queued).toHaveBeenCalledWith({ depth: 1 });
    const r = cci.process(0x0101, new Uint8Array());
    // response: type 08, cat 1, tag 2a echoed, cmd 03 set 00, len 1, rc 0, vendor 0, payload 08 (2^8)
    expect(toHex(r.payload)).toBe('08' + '01' + '2a' + '00' + '03' + '00' + '010000' + '0000' + '0000' + '08');
    expect(toHex(cci.process(0x0101, new Uint8Array()).payload)).toBe('');
  });

  it('runs an FM-API message (type 0x07) on the same dispatcher', () => {
    const { cci } = make();
    cci.process(0x0100, hex('07' + '00' + '05' + '00' + '00' + '51' + '000000' + '0000' + '0000'));
    expect(toHex(cci.process(0x0101, new Uint8Array()).payload)).toBe('07' + '01' + '05' + '00' + '00' + '51' + '030000' + '0000' + '0000' + 'aabbcc');
  });

  it('answers Unsupported inside the response when the type does not carry that command set', () => {
    const { cci } = make();
    expect(cci.process(0x0100, hex('08' + '00' + '01' + '00' + '00' + '51' + '000000' + '0000' + '0000')).rc).toBe(SUCCESS);
    expect(toHex(cci.process(0x0101, new Uint8Array()).payload)).toBe('08' + '01' + '01' + '00' + '00' + '51' + '000000' + '0300' + '0000');
    cci.process(0x0100, hex('07' + '00' + '02' + '00' + '01' + '00' + '000000' + '0000' + '0000'));
    expect(cci.process(0x0101, new Uint8Array()).payload[9]).toBe(UNSUPPORTED);
  });

  it('rejects bad message types, bad headers and lengths without queuing anything', () => {
    const { cci, mmpt } = make();
    const hdr = '00' + '01' + '00' + '01' + '00';
    expect(cci.process(0x0100, hex('05' + hdr + '000000' + '0000' + '0000')).rc).toBe(INVALID_INPUT); // type 5
    expect(cci.process(0x0100, hex('08' + '01' + '01' + '00' + '01' + '00' + '000000' + '0000' + '0000')).rc).toBe(INVALID_INPUT); // a response
    expect(cci.process(0x0100, hex('08' + hdr + '020000' + '0000' + '0000' + 'aa')).rc).toBe(INVALID_LEN); // length says 2, 1 follows
    expect(cci.process(0x0100, hex('08' + hdr + '0000')).rc).toBe(INVALID_LEN); // short header
    expect(mmpt.depth).toBe(0);
  });

  it('a carried 0100h is the CXL command of that number (Get Event Records), never MMPT again', () => {
    const { cci, cxl, mmpt } = make();
    // This CXL CCI has no Events set: the carried Get Event Records is Unsupported, inside the response.
    expect(cci.process(0x0100, hex('08' + '00' + '01' + '00' + '00' + '01' + '010000' + '0000' + '0000' + '00')).rc).toBe(SUCCESS);
    expect(mmpt.depth).toBe(1);
    expect(toHex(cci.process(0x0101, new Uint8Array()).payload)).toBe('08' + '01' + '01' + '00' + '00' + '01' + '000000' + '0300' + '0000');
    // and the CXL CCI's CEL (generic set + the fake FM command) names no MMPT command
    expect(cxl.cel().map((e) => e.opcode)).not.toContain(0x0100);
    expect(cci.cel().length).toBe(2);
  });

  it('masks the BO bit off the length and sets it on a background response', () => {
    const { cci } = make();
    // length bytes 00 00 80: BO set, length 0
    expect(cci.process(0x0100, hex('08' + '00' + '07' + '00' + '01' + '00' + '000080' + '0000' + '0000')).rc).toBe(SUCCESS);
    expect(cci.process(0x0101, new Uint8Array()).payload[6]).toBe(0x12); // Identify: 18 bytes
  });

  it('answers Retry Required when the receive queue is full', () => {
    const { cci, mmpt } = make(2);
    const msg = hex('08' + '00' + '01' + '00' + '01' + '00' + '000000' + '0000' + '0000');
    cci.process(0x0100, msg);
    cci.process(0x0100, msg);
    expect(cci.process(0x0100, msg).rc).toBe(RETRY);
    expect(mmpt.depth).toBe(2);
  });
});
