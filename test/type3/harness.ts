// Shared test harness for type 3 tests: build devices from a spec and run commands by hex.

import type { Cci } from '../../src/cci/cci.js';
import type { Type3Spec } from '../../src/model/type3-spec.js';
import { VirtualClock } from '../../src/time/clock.js';
import { createType3Device, type Type3Device } from '../../src/type3/index.js';
import { parseHex, toHex } from '../../src/util/bytes.js';

export const GiB = 1n << 30n;
export const MiB = 1n << 20n;

export function mldSpec(over: Partial<Type3Spec> = {}): Type3Spec {
  return {
    kind: 'mld',
    serialNumber: 0x1234n,
    ldCount: 4,
    capacityBytes: 4n * GiB,
    persistentBytes: 1n * GiB,
    lsaBytes: 256,
    dcRegions: [],
    ...over,
  };
}

export function build(over: Partial<Type3Spec> = {}): { dev: Type3Device; clock: VirtualClock } {
  const clock = new VirtualClock('manual');
  return { dev: createType3Device(mldSpec(over), clock), clock };
}

export function fm(dev: Type3Device): Cci {
  const c = dev.fmOwnedCci;
  if (!c) throw new Error('no FM-owned LD');
  return c;
}

export function hex(s: string): Uint8Array {
  const b = parseHex(s);
  if (!b) throw new Error(`bad hex ${s}`);
  return b;
}

/** Run one command; returns the return code and the output payload as lowercase hex. */
export function run(cci: Cci, opcode: number, input = ''): { rc: number; out: string } {
  const r = cci.process(opcode, hex(input));
  return { rc: r.rc, out: toHex(r.payload) };
}

/** 8-byte little-endian hex of a bigint. */
export function le64(v: bigint): string {
  let s = '';
  for (let i = 0n; i < 8n; i++) s += Number((v >> (8n * i)) & 0xffn).toString(16).padStart(2, '0');
  return s;
}

export function le32(v: number): string {
  return le64(BigInt(v)).slice(0, 8);
}
