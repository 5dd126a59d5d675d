// The same FM-API session through the MCTP listener (both dialects) and through the host driver
// (the path the websocket server uses): the payloads must be byte for byte the same.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Completed } from '../../src/host/host-driver.js';
import { bench, type Bench } from './harness.js';
import { hx } from './client.js';
import { overMctp, SESSION } from './session.js';

describe.each(['spec', 'jrl'] as const)('the same FM-API session over MCTP (%s) and through the host driver', (dialect) => {
  let b: Bench;
  beforeAll(async () => {
    b = await bench({ dialect });
  });
  afterAll(async () => {
    await b.close();
  });

  it('gives identical return codes and payloads at every step', async () => {
    const c = await b.connect();
    let tag = 0;
    for (const step of SESSION) {
      const viaDriver = (await b.driver.submit({ opcode: step.opcode, payload: step.payload, tunnel: step.route.map((id) => ({ id })) })) as Completed;
      expect(viaDriver.refused, step.name).toBe(false);
      const viaMctp = await overMctp(c, step, dialect === 'jrl', tag++ & 7);
      expect(viaMctp, step.name).toEqual({ rc: viaDriver.rc, payload: hx(viaDriver.payload) });
      expect(viaDriver.rc, step.name).toBe(0);
      expect(viaMctp.payload.length, step.name).toBeGreaterThan(0);
    }
  });
});
