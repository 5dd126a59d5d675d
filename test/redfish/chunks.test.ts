// A chunk's size is its LD's allocation: PATCH MemoryChunkSizeMiB is Set LD Allocations (5402h)
// tunnelled to the MLD's FM-owned LD, and Get LD Allocations (5401h) over FM-API agrees.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp } from '../server/helpers.js';
import { call, get, problems } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** LD `ld`'s entry of Get LD Allocations (CXL r3.2 7.6.7.4.2) at port 2: range 1 and range 2 multipliers, hex LE. */
async function allocation(a: FastifyInstance, ld: number): Promise<string> {
  const out = await a.cxlemu.driver.submit({ opcode: 0x5401, payload: Uint8Array.of(ld, 1), tunnel: [{ id: 2 }], scope: 'read-only' });
  if (out.refused) throw new Error(out.reason);
  expect(out.rc).toBe(0);
  return Buffer.from(out.payload.subarray(4, 20)).toString('hex');
}

const CHUNK = '/redfish/v1/Chassis/CXL-1002/MemoryDomains/0/MemoryChunks/LD1';

describe('Redfish memory chunks', () => {
  it('PATCH MemoryChunkSizeMiB sets the LD allocation through Set LD Allocations', async () => {
    app = await makeApp();
    const before = (await get(app, CHUNK)).body;
    const mib = Number(before['MemoryChunkSizeMiB']);
    expect(mib).toBeGreaterThanOrEqual(512);
    const r = await call(app, 'PATCH', CHUNK, 'admin-token', { MemoryChunkSizeMiB: mib - 256 });
    expect(r.status).toBe(200);
    expect(problems(r.body)).toEqual([]);
    expect(r.body['MemoryChunkSizeMiB']).toBe(mib - 256);
    // Range 1 = (mib - 256) / 256 units, range 2 = 0, both u64 little-endian.
    const units = (mib - 256) / 256;
    expect(await allocation(app, 1)).toBe(units.toString(16).padStart(2, '0') + '00'.repeat(7) + '00'.repeat(8));
    expect((await get(app, CHUNK)).body['MemoryChunkSizeMiB']).toBe(mib - 256);
  });

  it('refuses a size that is not whole 256 MiB units, an SLD chunk, and a caller without the scope', async () => {
    app = await makeApp();
    const odd = await call(app, 'PATCH', CHUNK, 'admin-token', { MemoryChunkSizeMiB: 100 });
    expect(odd.status).toBe(400);
    expect(problems(odd.body, 'RedfishError.json')).toEqual([]);
    const sld = await call(app, 'PATCH', '/redfish/v1/Chassis/CXL-1001/MemoryDomains/0/MemoryChunks/LD0', 'admin-token', { MemoryChunkSizeMiB: 256 });
    expect(sld.status).toBe(405);
    expect(problems(sld.body, 'RedfishError.json')).toEqual([]);
    const ro = await call(app, 'PATCH', CHUNK, 'ro-token', { MemoryChunkSizeMiB: 256 });
    expect(ro.status).toBe(403);
    expect((ro.body['error'] as { message: string }).message).toMatch(/5402/);
  });
});
