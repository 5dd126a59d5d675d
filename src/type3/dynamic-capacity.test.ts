// The dynamic capacity model on its own: limits, range arithmetic and reset, which the command
// tests reach only indirectly.

import { describe, expect, it } from 'vitest';
import { DynamicCapacity, type DcExtent } from './dynamic-capacity.js';

const MiB = 1n << 20n;
const BASE = 0x4000_0000n; // 1 GiB of static capacity
const tag = new Uint8Array(16);
const ext = (dpa: bigint, length: bigint): DcExtent => ({ dpa, length, tag, sharedSeq: 0 });

function make(maxExtentsPerHost = 512) {
  const records: [number, Uint8Array][] = [];
  const dcd = new DynamicCapacity({
    regions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 2n * MiB }],
    baseDpa: BASE,
    hostCount: 2,
    maxExtentsPerHost,
    sink: (host, record) => records.push([host, record]),
  });
  return { dcd, records };
}

describe('DynamicCapacity', () => {
  it('places region 0 at the static capacity rounded up to 256 MiB', () => {
    const dcd = new DynamicCapacity({
      regions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 2n * MiB }, { lengthBytes: 512n * MiB, blockSizeBytes: 64n }],
      baseDpa: BASE + 1n,
      hostCount: 1,
      sink: () => undefined,
    });
    expect(dcd.regions.map((r) => [r.base, r.decodeLength])).toEqual([
      [BASE + 256n * MiB, 256n * MiB],
      [BASE + 512n * MiB, 512n * MiB],
    ]);
    expect(dcd.totalCapacity).toBe(768n * MiB);
  });

  it('rejects region specs with an invalid block size', () => {
    expect(() => new DynamicCapacity({ regions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 3n * MiB }], baseDpa: 0n, hostCount: 1, sink: () => undefined })).toThrow(RangeError);
    expect(() => new DynamicCapacity({ regions: [{ lengthBytes: 256n * MiB, blockSizeBytes: 32n }], baseDpa: 0n, hostCount: 1, sink: () => undefined })).toThrow(RangeError);
  });

  it('counts pending and accepted extents against the per-host limit', () => {
    const { dcd, records } = make(2);
    expect(dcd.initiateAdd({ host: 0, policy: 2, region: 0, length: 0n, tag, extents: [ext(BASE, 2n * MiB), ext(BASE + 4n * MiB, 2n * MiB)] })).not.toBeTypeOf('number');
    expect(dcd.extentsAvailable(0)).toBe(0);
    expect(dcd.initiateAdd({ host: 0, policy: 2, region: 0, length: 0n, tag, extents: [ext(BASE + 8n * MiB, 2n * MiB)] })).toBe(0x1d);
    expect(records.length).toBe(2);
    // Host 1 has its own budget.
    expect(dcd.extentsAvailable(1)).toBe(2);
  });

  it('releases a range spanning two adjacent extents and splits at the edges', () => {
    const { dcd } = make();
    dcd.initiateAdd({ host: 1, policy: 2, region: 0, length: 0n, tag, extents: [ext(BASE, 4n * MiB), ext(BASE + 4n * MiB, 4n * MiB)] });
    expect(dcd.addResponse(1, [{ dpa: BASE, length: 4n * MiB }, { dpa: BASE + 4n * MiB, length: 4n * MiB }], false)).toBeUndefined();
    expect(dcd.release(1, [{ dpa: BASE + 2n * MiB, length: 4n * MiB }])).toBeUndefined();
    expect(dcd.accepted(1).map((e) => [e.dpa, e.length])).toEqual([
      [BASE, 2n * MiB],
      [BASE + 6n * MiB, 2n * MiB],
    ]);
    expect(dcd.generation(1)).toBe(2);
  });

  it('reset drops every host extent and offer', () => {
    const { dcd } = make();
    dcd.initiateAdd({ host: 0, policy: 0, region: 0, length: 8n * MiB, tag, extents: [] });
    dcd.reset();
    expect(dcd.pending(0)).toEqual([]);
    expect(dcd.accepted(0)).toEqual([]);
    expect(dcd.extentsAvailable(0)).toBe(512);
  });
});
