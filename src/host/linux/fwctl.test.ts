// The fwctl core's and the CXL fwctl driver's rules, restated as golden values from the kernel
// (drivers/fwctl/main.c, drivers/cxl/core/features.c) and the uAPI, on hand-built inputs: the
// scope each Set Feature effect needs, the errno of each refusal, the chunking of Set Feature.

import { describe, expect, it } from 'vitest';
import { planCxlRpc, setFeatureInputs, type FeatureEntry } from './fwctl-cxl.js';
import { copyStruct, planInfo, planRpc } from './fwctl-uapi.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const un = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const le = (n: number, w: number): string => hex(Uint8Array.from({ length: w }, (_, i) => (n >>> (8 * i)) & 0xff));

const UUID_A = '00112233445566778899aabbccddeeff';
const SCRUB = '96dad7d6fde8482ba73375774e06db8a';

/** A Supported Feature Entry: uuid, index, get size, set size, attributes, versions, effects. */
function entry(uuid: string, attributes: number, effects: number): FeatureEntry {
  return { bytes: un(uuid + '0000' + '0400' + '0200' + le(attributes, 4) + '0101' + le(effects, 2) + '00'.repeat(18)) };
}
const rpc = (opcode: number, op: string): Uint8Array => un(le(opcode, 4) + le(0, 4) + le(op.length / 2, 4) + le(0, 4) + op);
const setOp = (uuid: string, data = '01'): string => uuid + le(0, 4) + le(0, 2) + '01' + '00'.repeat(9) + data;
const ctx = (effects: number, attributes = 1, uuid = UUID_A) => ({ cap: 'rw' as const, entries: [entry(uuid, attributes, effects)], exclusive: [un(SCRUB)], payloadSize: 256 });

describe('fwctl core (struct copy, scopes)', () => {
  const rpcStruct = (scope: number, inLen = 0, outLen = 0, size = 32): Uint8Array => un(le(size, 4) + le(scope, 4) + le(inLen, 4) + le(outLen, 4) + '00'.repeat(16));

  it('copies the struct as copy_struct_from_user: EINVAL below the minimum, E2BIG for a non-zero tail', () => {
    expect(copyStruct(un(le(16, 4) + '00'.repeat(12)), 32)).toMatchObject({ ok: false, errno: 22 });
    expect(copyStruct(un(le(40, 4) + '00'.repeat(35) + '01'), 32)).toMatchObject({ ok: false, errno: 7 });
    expect(copyStruct(un(le(40, 4) + '00'.repeat(36)), 32)).toMatchObject({ ok: true, userSize: 40 });
    expect(copyStruct(un(le(32, 4)), 32)).toMatchObject({ ok: false, errno: 14 });
    expect(planInfo(un(le(24, 4) + le(1, 4) + '00'.repeat(16)))).toMatchObject({ ok: false, errno: 95 });
  });

  it('scopes: 0 and 1 pass, 2 taints, 3 needs CAP_SYS_RAWIO then taints, others EOPNOTSUPP; sizes over 2 MiB EMSGSIZE', () => {
    expect(planRpc(rpcStruct(0), false, false)).toMatchObject({ ok: true, taint: false });
    expect(planRpc(rpcStruct(1), false, false)).toMatchObject({ ok: true, taint: false });
    expect(planRpc(rpcStruct(2), false, false)).toMatchObject({ ok: true, taint: true });
    expect(planRpc(rpcStruct(2), false, true)).toMatchObject({ ok: true, taint: false });
    expect(planRpc(rpcStruct(3), false, false)).toMatchObject({ ok: false, errno: 1 });
    expect(planRpc(rpcStruct(3), true, false)).toMatchObject({ ok: true, taint: true });
    expect(planRpc(rpcStruct(4), true, false)).toMatchObject({ ok: false, errno: 95 });
    expect(planRpc(rpcStruct(1, 0x200001), true, false)).toMatchObject({ ok: false, errno: 90 });
    expect(planRpc(rpcStruct(1, 0, 0x200000), true, false)).toMatchObject({ ok: true });
  });
});

describe('CXL fwctl driver (Features only, effects decide the scope)', () => {
  const set = (effects: number, scope: number, attributes = 1) => planCxlRpc(rpc(0x0502, setOp(UUID_A)), scope, 8, ctx(effects, attributes));

  it('an immediate effect (bits 1-4) needs DEBUG_WRITE_FULL', () => {
    for (const bit of [1, 2, 3, 4]) {
      expect(set(1 << bit, 2)).toMatchObject({ ok: false, errno: 22 });
      expect(set(1 << bit, 3)).toMatchObject({ ok: true, kind: 'set' });
    }
  });

  it('a reset-only effect (cold, conventional, CXL reset: bits 0, 10, 11) needs DEBUG_WRITE', () => {
    for (const bit of [0, 10, 11]) {
      expect(set(1 << bit, 1)).toMatchObject({ ok: false, errno: 22 });
      expect(set(1 << bit, 2)).toMatchObject({ ok: true });
    }
  });

  it('refuses at any scope: no effect, background (bit 6), reserved bits 15:12, not changeable', () => {
    expect(set(0, 3)).toMatchObject({ ok: false, errno: 22 });
    expect(set((1 << 1) | (1 << 6), 3)).toMatchObject({ ok: false, errno: 22 });
    expect(set((1 << 1) | (1 << 12), 3)).toMatchObject({ ok: false, errno: 22 });
    expect(set(1 << 1, 3, 0)).toMatchObject({ ok: false, errno: 22 });
  });

  it('a Feature the kernel keeps is EPERM even at DEBUG_WRITE_FULL, and Get Supported Features shows it unchangeable', () => {
    const c = ctx(1 << 1, 1, SCRUB);
    expect(planCxlRpc(rpc(0x0502, setOp(SCRUB)), 3, 8, c)).toMatchObject({ ok: false, errno: 1 });
    const sup = planCxlRpc(rpc(0x0500, le(0x30, 4) + '0000' + '0000'), 1, 64, c);
    if (!sup.ok || sup.kind !== 'supported') throw new Error('expected a Get Supported Features answer');
    // size 38h, retval 0, 1 entry of 1; set size 0 and the Changeable bit cleared.
    expect(hex(sup.out.subarray(0, 16))).toBe('38000000' + '00000000' + '0100' + '0100' + '00000000');
    expect(hex(sup.out.subarray(16 + 0x14, 16 + 0x1a))).toBe('0000' + '00000000');
  });

  it('anything but the three Features opcodes is EINVAL; so is a mailbox without Features', () => {
    expect(planCxlRpc(rpc(0x4000, ''), 3, 64, ctx(2))).toMatchObject({ ok: false, errno: 22 });
    expect(planCxlRpc(rpc(0x0500, le(0x30, 4) + '00000000'), 1, 64, { ...ctx(2), cap: 'none' })).toMatchObject({ ok: false, errno: 22 });
    expect(planCxlRpc(rpc(0x0502, setOp(UUID_A)), 3, 8, { ...ctx(2), cap: 'ro' })).toMatchObject({ ok: false, errno: 22 });
  });

  it('Set Feature is sent as the kernel sends it: Full when it fits, else Initiate, Continue, Finish; saved across reset', () => {
    const data = new Uint8Array(500).map((_, i) => i & 0xff);
    const parts = setFeatureInputs({ uuid: un(UUID_A), flags: 0x7, offset: 0x10, version: 2, data }, 256);
    // 224 data bytes fit after the 32-byte header: 224 + 224 + 52.
    expect(parts.map((p) => p.length - 32)).toEqual([224, 224, 52]);
    expect(parts.map((p) => hex(p.subarray(16, 23)))).toEqual(['09000000' + '1000' + '02', '0a000000' + 'f000' + '02', '0b000000' + 'd001' + '02']);
    const one = setFeatureInputs({ uuid: un(UUID_A), flags: 0, offset: 0, version: 1, data: un('1801') }, 256);
    expect(one.map(hex)).toEqual([UUID_A + '08000000' + '0000' + '01' + '00'.repeat(9) + '1801']);
  });
});
