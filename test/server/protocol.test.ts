// The wire format: golden bytes from the protobuf encoding rules (field number << 3 | wire type,
// varints), round trips through the mapping, validation, and that the checked-in generated code
// is exactly what scripts/gen-proto.mjs makes.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, encodeRequest, peekRequestId, type Reply, type Request } from '../../src/protocol/mapping.js';
import { bytes, hex } from './helpers.js';

describe('protocol golden bytes', () => {
  it('encodes GetStatus{audit_tail: 5} with id 3 as 08 03 | e2 02 02 08 05', () => {
    // id: field 1 varint (08) = 3; get_status: field 44 length-delimited (44<<3|2 = 354 = e2 02),
    // length 2, audit_tail field 1 varint (08) = 5.
    expect(hex(encodeRequest(3, { kind: 'getStatus', auditTail: 5 }))).toBe('0803e202020805');
  });

  it('Reset carries its kind in field 20; an empty Reset is the conventional reset it always was', () => {
    // id 1 (08 01); reset: field 40 length-delimited (40<<3|2 = 322 = c2 02). Empty: length 0.
    expect(decodeRequest(bytes('0801 c20200'))).toEqual({ ok: true, id: 1, value: { kind: 'reset', resetKind: 'conventional' } });
    // kind: field 20 varint (20<<3 = 160 = a0 01) = 3 (RESET_KIND_COLD); length 3.
    expect(hex(encodeRequest(1, { kind: 'reset', resetKind: 'cold' }))).toBe('0801c20203a00103');
    expect(decodeRequest(bytes('0801 c20203 a00102'))).toEqual({ ok: true, id: 1, value: { kind: 'reset', resetKind: 'cxl' } });
    expect(decodeRequest(bytes('0801 c20203 a00109'))).toMatchObject({ ok: false, code: 'invalid-argument', message: expect.stringMatching(/reset kind 9/) });
  });

  it('SetClock{mode: CLOCK_MODE_LIVE = 3}; CLOCK_MODE_VIRTUAL (1) is the stepped clock', () => {
    // set_clock: field 42 (42<<3|2 = 338 = d2 02), length 11: mode field 1 varint (08) = 3, then
    // scale field 2 double (11) = 0.0 ("keep the scale").
    expect(hex(encodeRequest(1, { kind: 'setClock', mode: 'live' }))).toBe('0801d2020b0803110000000000000000');
    expect(decodeRequest(bytes('0801 d20202 0801'))).toEqual({ ok: true, id: 1, value: { kind: 'setClock', mode: 'stepped' } });
  });

  it('decodes ServerFrame{id 9, error{NO_SUCH_FUNCTION, "x"}} from hand-written bytes', () => {
    // id 9 (08 09); error: field 2 (12), length 5: code field 1 = 4 (08 04), message field 2 "x" (12 01 78).
    const d = decodeReply(bytes('0809 1205 0804 120178'));
    expect(d).toEqual({ ok: true, id: 9, value: { kind: 'error', code: 'no-such-function', message: 'x' } });
  });

  it('carries a 64-bit MMIO value above 2^53 exactly', () => {
    const v = 0xfedcba9876543210n;
    const d = decodeRequest(encodeRequest(4, { kind: 'mmioWrite', fn: 'switch', offset: 0x88, width: 8, value: v }));
    expect(d.ok && d.value).toEqual({ kind: 'mmioWrite', fn: 'switch', offset: 0x88, width: 8, value: v });
    const r = decodeReply(encodeReply(4, { kind: 'mmioRead', value: v }));
    expect(r.ok && r.value).toEqual({ kind: 'mmioRead', value: v });
  });

  it('round-trips every request kind', () => {
    const reqs: Request[] = [
      { kind: 'mmioRead', fn: 'port1.ld0', offset: 0x10, width: 8 },
      { kind: 'payloadRead', fn: 'switch', offset: 4, length: 16 },
      { kind: 'payloadWrite', fn: 'switch', offset: 0, data: bytes('0102') },
      { kind: 'configRead', fn: 'switch', offset: 0x40, width: 2 },
      { kind: 'configWrite', fn: 'switch', offset: 0x04, width: 2, value: 0x0006 },
      { kind: 'submit', opcode: 0x4400, payload: bytes('aa'), tunnel: [{ id: 2 }, { id: 1 }], scope: 'full', backgroundReturn: true },
      { kind: 'mmptSend', message: bytes('08000000010000000000000000'), scope: 'configuration' },
      { kind: 'mmptReceive' },
      { kind: 'reset', resetKind: 'conventional' },
      { kind: 'reset', resetKind: 'cxl' },
      { kind: 'reset', resetKind: 'cold' },
      { kind: 'advanceClock', ms: 1.5 },
      { kind: 'setClock', mode: 'realtime', scale: 10 },
      { kind: 'setClock', mode: 'live' },
      { kind: 'setClock', mode: 'stepped' },
      { kind: 'loadTopology', text: 'ports: []', sourceName: 't.yaml' },
      { kind: 'subscribe', kinds: ['interrupt', 'audit-decision'] },
    ];
    reqs.forEach((r, i) => expect(decodeRequest(encodeRequest(i + 1, r))).toEqual({ ok: true, id: i + 1, value: r }));
  });

  it('round-trips replies and events', () => {
    const replies: Reply[] = [
      { kind: 'ack' },
      { kind: 'submit', result: { refused: false, rc: 1, rcName: 'Background Command Started', vendorStatus: 0, payload: new Uint8Array(0), background: { opcode: 0x5201, percent: 0, rc: 0, running: true } } },
      { kind: 'submit', result: { refused: true, reason: 'no', opcode: 0x5300, innerOpcode: 0x4400, scope: 'configuration' } },
      { kind: 'event', event: { kind: 'interrupt', atMs: 2, fn: 'switch', vector: 1, cause: 'mmpt', address: 0xfee00000n, data: 0x4021 } },
      { kind: 'event', event: { kind: 'background-complete', atMs: 1500, cci: 'switch', opcode: 0x5201, percent: 100, rc: 0 } },
      { kind: 'event', event: { kind: 'command-trace', atMs: 0, cci: 'port1.ld0', opcode: 1, name: 'Identify', via: 'tunnel', rc: 0, inputLength: 0, outputLength: 0x12 } },
    ];
    replies.forEach((r, i) => expect(decodeReply(encodeReply(i, r))).toEqual({ ok: true, id: i, value: r }));
  });
});

describe('request validation', () => {
  const one = (r: Request) => decodeRequest(encodeRequest(1, r));
  it('rejects widths, misalignment, oversize values and opcodes with invalid-argument', () => {
    expect(one({ kind: 'mmioRead', fn: 's', offset: 0, width: 3 as 4 })).toMatchObject({ ok: false, code: 'invalid-argument' });
    expect(one({ kind: 'mmioRead', fn: 's', offset: 4, width: 8 })).toMatchObject({ ok: false, message: expect.stringMatching(/aligned/) });
    expect(one({ kind: 'mmioWrite', fn: 's', offset: 0, width: 1, value: 0x100n })).toMatchObject({ ok: false, message: expect.stringMatching(/does not fit/) });
    expect(one({ kind: 'configWrite', fn: 's', offset: 0, width: 2, value: 0x10000 })).toMatchObject({ ok: false });
    expect(one({ kind: 'submit', opcode: 0x1_0000, payload: new Uint8Array(0), tunnel: [], backgroundReturn: false })).toMatchObject({ ok: false });
    expect(one({ kind: 'submit', opcode: 1, payload: new Uint8Array(0), tunnel: [{ id: 256 }], backgroundReturn: false })).toMatchObject({ ok: false, message: expect.stringMatching(/byte/) });
    expect(one({ kind: 'advanceClock', ms: -1 })).toMatchObject({ ok: false });
  });
  it('never throws on hostile bytes', () => {
    for (let seed = 1; seed < 300; seed++) {
      const b = new Uint8Array(seed % 40).map((_, i) => (seed * 31 + i * 17) & 0xff);
      expect(() => decodeRequest(b)).not.toThrow();
      expect(() => decodeReply(b)).not.toThrow();
    }
  });
  it('peeks the id of a frame it will not decode', () => {
    expect(peekRequestId(bytes('08 ac02 ff'))).toBe(300);
    expect(peekRequestId(bytes('12 00'))).toBe(0);
  });
});

describe('generated code', () => {
  it('is exactly what scripts/gen-proto.mjs generates (run npm run gen:proto after editing the .proto)', () => {
    const out = execFileSync(process.execPath, ['scripts/gen-proto.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });
});
