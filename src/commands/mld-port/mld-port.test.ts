import { describe, expect, it } from 'vitest';
import { harness, hex } from '../../../test/switch/harness.js';

const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const INVALID_PAYLOAD_LENGTH = 0x16;

// Tunnel Management: [port][target type][u16 size] + Identify request (tag 7, opcode 0001h, no payload).
const identifyVia = (port: number, targetType = 0): number[] => [port, targetType, 12, 0, 0x00, 0x07, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0];

describe('Tunnel Management Command (5300h) through the switch', () => {
  it('reaches the CCI the device at a DSP exposes', () => {
    const h = harness();
    const r = h.run(0x5300, identifyVia(1));
    expect(r.rc).toBe(SUCCESS);
    expect(hex(r.payload)).toBe(
      '1e000000' +
        // response header: category 1, tag 7, opcode 0001h, 18 bytes, rc 0
        '010700010012000000000000' +
        // Identify: 1234h/5678h, subsystem 0/0, serial 51dh, 2^9 bytes, component type 3
        '3412785600000000' + '1d05000000000000' + '09' + '03',
    );
    expect(h.run(0x5300, identifyVia(2)).rc).toBe(SUCCESS);
  });

  it('refuses ports with nothing to tunnel to', () => {
    const h = harness();
    expect(h.run(0x5300, identifyVia(3)).rc).toBe(INVALID_INPUT); // PCIe device
    expect(h.run(0x5300, identifyVia(4)).rc).toBe(INVALID_INPUT); // empty
    expect(h.run(0x5300, identifyVia(0)).rc).toBe(INVALID_INPUT); // USP
    expect(h.run(0x5300, identifyVia(9)).rc).toBe(INVALID_INPUT); // no such port
    expect(h.run(0x5300, identifyVia(1, 1)).rc).toBe(INVALID_INPUT); // LD pool: not on a switch
    h.run(0x5102, [1, 0]);
    expect(h.run(0x5300, identifyVia(1)).rc).toBe(INVALID_INPUT); // held in PERST#
  });
});

describe('Send LD CXL.io Configuration Request (5301h)', () => {
  it('writes and reads an unbound LD config space, byte enables respected', () => {
    const h = harness();
    // write DW 10h of LD 1, all bytes: deadbeefh
    expect(h.run(0x5301, [2, 0x10, 0xf0, 0x80, 1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]).rc).toBe(SUCCESS);
    expect(hex(h.run(0x5301, [2, 0x10, 0xf0, 0x00, 1, 0, 0, 0, 0, 0, 0, 0]).payload)).toBe('efbeadde');
    // write DW 20h with byte enables 0101b
    h.run(0x5301, [2, 0x20, 0x50, 0x80, 1, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
    expect(hex(h.mld.configs.get(1)?.bytes.slice(0x20, 0x24) ?? new Uint8Array())).toBe('44002200');
    // the FM-owned LD (FFFFh) is reachable too
    expect(h.run(0x5301, [2, 0x00, 0xf0, 0x80, 0xff, 0xff, 0, 0, 1, 2, 3, 4]).rc).toBe(SUCCESS);
    expect(hex(h.mld.configs.get(0xffff)?.bytes.slice(0, 4) ?? new Uint8Array())).toBe('01020304');
  });

  it('refuses bound LDs, non-MLD ports, bad LDs and bad lengths', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 2, 1);
    const write = (port: number, ld: number): number => h.run(0x5301, [port, 0x10, 0xf0, 0x80, ld, 0, 0, 0, 9, 9, 9, 9]).rc;
    expect(write(2, 1)).toBe(INVALID_INPUT); // bound
    expect(write(2, 4)).toBe(INVALID_INPUT); // no LD 4
    expect(write(1, 0)).toBe(INVALID_INPUT); // SLD port
    expect(write(4, 0)).toBe(INVALID_INPUT); // empty
    expect(h.mld.configs.get(1)?.bytes[0x10]).toBe(0);
    expect(h.run(0x5301, [2, 0x10, 0xf0, 0x80, 0, 0, 0, 0, 9, 9, 9]).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Send LD CXL.io Memory Request (5302h)', () => {
  const addr = [0x00, 0x01, 0, 0, 0, 0, 0, 0]; // 100h

  it('writes then reads an unbound LD memory window', () => {
    const h = harness();
    const w = h.run(0x5302, [2, 0x00, 0xf0, 0x8f, 2, 0, 8, 0, ...addr, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(w.rc).toBe(SUCCESS);
    expect(hex(w.payload)).toBe('08000000');
    const r = h.run(0x5302, [2, 0x00, 0xf0, 0x0f, 2, 0, 8, 0, ...addr]);
    expect(hex(r.payload)).toBe('08000000' + '0102030405060708');
  });

  it('checks data length, transaction length, range, response size and binding', () => {
    const h = harness();
    expect(h.run(0x5302, [2, 0, 0xf0, 0x8f, 2, 0, 8, 0, ...addr, 1, 2, 3, 4, 5, 6, 7]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    // A read's trailing bytes (jack sends a zeroed data buffer) are ignored, not refused.
    const plain = h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 8, 0, ...addr]);
    const padded = h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 8, 0, ...addr, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(padded.rc).toBe(SUCCESS);
    expect(hex(padded.payload)).toBe('08000000' + '0000000000000000');
    expect(padded.payload).toEqual(plain.payload);
    expect(h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 0x01, 0x10, ...addr]).rc).toBe(INVALID_INPUT); // > 4 KiB
    expect(h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 8, 0, 0xfc, 0x1f, 0, 0, 0, 0, 0, 0]).rc).toBe(INVALID_INPUT); // past 2000h
    expect(h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 0x00, 0x08, ...addr]).rc).toBe(INVALID_INPUT); // 4 + 800h > 2 KiB
    h.sw.bindNow(0, 1, 2, 2);
    expect(h.run(0x5302, [2, 0, 0xf0, 0x8f, 2, 0, 1, 0, ...addr, 0xaa]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5302, [1, 0, 0xf0, 0x8f, 0, 0, 1, 0, ...addr, 0xaa]).rc).toBe(INVALID_INPUT); // SLD port
    expect(h.mld.memories.get(2)?.[0x100]).toBe(0);
    expect(h.run(0x5302, [2, 0, 0xf0, 0x0f, 2, 0, 8]).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});
