import { describe, expect, it } from 'vitest';
import { endpointUuid, handleControl, type EidState } from './control.js';

const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const state = (): EidState => ({ eid: 0x08, staticEid: 0x08 });
/** A request: type 0x00, Rq set, instance ID, command, data, then the padding a packet adds. */
const req = (instance: number, command: number, ...data: number[]): Uint8Array => {
  const m = new Uint8Array(64);
  m.set([0x00, 0x80 | instance, command, ...data]);
  return m;
};

function bytesOf(out: ReturnType<typeof handleControl>): string {
  if (out.kind !== 'response') throw new Error(`ignored: ${out.reason}`);
  return hx(out.bytes);
}

describe('MCTP control messages (DSP0236 12)', () => {
  it('Get Endpoint ID: EID, static simple endpoint, no medium info', () => {
    // 00 | instance 5 echoed with Rq clear | cmd 02 | cc 00 | EID 08 | type 02 | 00
    expect(bytesOf(handleControl(req(5, 0x02), state()))).toBe('00050200' + '080200');
  });

  it('Get Endpoint UUID: the 16 UUID bytes after the completion code; unsupported without one', () => {
    const uuid = endpointUuid(0x1234n);
    // "cxlemu", version 8, variant 10b, the serial's low 48 bits in the node field.
    expect(hx(uuid)).toBe('63786c656d75' + '8000' + '8000' + '000000001234');
    expect(bytesOf(handleControl(req(6, 0x03), state(), uuid))).toBe('00060300' + '63786c656d75800080000000' + '00001234');
    expect(bytesOf(handleControl(req(6, 0x03), state()))).toBe('00060305');
  });

  it('Set Endpoint ID: accepted, reported, and used by Get Endpoint ID afterwards', () => {
    const s = state();
    expect(bytesOf(handleControl(req(1, 0x01, 0x00, 0x2a), s))).toBe('00010100' + '002a00');
    expect(s.eid).toBe(0x2a);
    // EID type 11b: static EID supported, another one assigned.
    expect(bytesOf(handleControl(req(2, 0x02), s))).toBe('00020200' + '2a0300');
    // Force EID behaves the same; Reset EID returns to the static one.
    expect(bytesOf(handleControl(req(3, 0x01, 0x01, 0x30), s))).toBe('00030100' + '003000');
    expect(bytesOf(handleControl(req(4, 0x01, 0x02, 0x00), s))).toBe('00040100' + '000800');
    expect(s.eid).toBe(0x08);
  });

  it('Set Endpoint ID: null, broadcast and reserved EIDs are invalid data, state unchanged', () => {
    for (const eid of [0x00, 0xff, 0x01, 0x07]) {
      const s = state();
      expect(bytesOf(handleControl(req(0, 0x01, 0x00, eid), s))).toBe('00000102');
      expect(s.eid).toBe(0x08);
    }
    const s = state();
    expect(bytesOf(handleControl(req(0, 0x01, 0x03, 0x40), s))).toBe('00000102');
    expect(s.eid).toBe(0x08);
  });

  it('Get MCTP Version Support: base 1.3.1, control, the two CXL bindings 1.0.0, others 0x80', () => {
    expect(bytesOf(handleControl(req(0, 0x04, 0xff), state()))).toBe('00000400' + '01' + 'f1f3f100');
    expect(bytesOf(handleControl(req(0, 0x04, 0x00), state()))).toBe('00000400' + '01' + 'f1f3f100');
    expect(bytesOf(handleControl(req(0, 0x04, 0x07), state()))).toBe('00000400' + '01' + 'f1f0f000');
    expect(bytesOf(handleControl(req(0, 0x04, 0x08), state()))).toBe('00000400' + '01' + 'f1f0f000');
    expect(bytesOf(handleControl(req(0, 0x04, 0x01), state()))).toBe('00000480');
  });

  it('Get Message Type Support: 0x07 and 0x08', () => {
    expect(bytesOf(handleControl(req(0x1f, 0x05), state()))).toBe('001f0500' + '02' + '0708');
  });

  it('answers an unknown command with ERROR_UNSUPPORTED_CMD', () => {
    expect(bytesOf(handleControl(req(0, 0x03), state()))).toBe('00000305');
    expect(bytesOf(handleControl(req(0, 0x7f), state()))).toBe('00007f05');
  });

  it('does not answer responses, datagrams, integrity-checked or headerless messages', () => {
    expect(handleControl(Uint8Array.of(0x00, 0x00, 0x02, 0x00), state()).kind).toBe('ignored');
    expect(handleControl(Uint8Array.of(0x00, 0xc0, 0x02), state()).kind).toBe('ignored');
    expect(handleControl(Uint8Array.of(0x80, 0x80, 0x02), state()).kind).toBe('ignored');
    expect(handleControl(Uint8Array.of(0x00, 0x80), state()).kind).toBe('ignored');
  });
});
