// The websocket event kind for new event records (EventKind EVENT_KIND_EVENT_RECORD): a subscribed
// client sees each record the switch or an LD adds, with the bytes Get Event Records returns.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/client/index.js';
import { bytes, hex, injectClient, makeApp } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('event-record events', () => {
  it('PERST assert on port 6 pushes the switch\'s Physical Switch record, identical to Get Event Records', async () => {
    app = await makeApp();
    const c = await injectClient(app, '/ws?token=admin-token');
    const seen: Extract<ServerEvent, { kind: 'event-record' }>[] = [];
    c.on('event-record', (e) => seen.push(e));
    expect(await c.subscribe(['event-record'])).toEqual(['event-record']);
    const r = await c.send(0x5102, bytes('06 00'), { scope: 'full' }); // Physical Port Control: assert PERST
    expect(r.refused === false && r.rc).toBe(0);
    const get = await c.send(0x0100, bytes('00'));
    expect(get.refused).toBe(false);
    if (get.refused) return;
    expect(seen).toHaveLength(1);
    const e = seen[0];
    expect(e?.cci).toBe('switch');
    expect(e?.log).toBe(0);
    expect(hex(e?.record.subarray(0, 16) ?? new Uint8Array())).toBe('77cf92719c02470b9fe4bc7b75f2da97');
    expect(hex(e?.record ?? new Uint8Array())).toBe(hex(get.payload.subarray(0x20, 0xa0)));
  });
});
