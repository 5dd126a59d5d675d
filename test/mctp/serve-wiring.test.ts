// `cxlemu serve --mctp-port` starts the MCTP endpoint beside the websocket and closes it on shutdown.

import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../emulator/config.js';
import { startServer } from '../../emulator/serve.js';
import { TestClient } from './client.js';

describe('serve with an MCTP endpoint', () => {
  it('answers Identify Switch Device over MCTP type 0x07 and stops with the server', async () => {
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0, logLevel: 'silent', mctp: { port: 0, dialect: 'spec', scope: 'read-only', maxMessageBytes: 8192 } });
    try {
      expect(server.mctp?.port).toBeGreaterThan(0);
      const c = await TestClient.connect(server.mctp?.port ?? 0);
      // type 07, CCI request: category 0, tag 1, command 00, set 51 (5100h), length 0
      c.request(Uint8Array.from([0x07, 0x00, 0x01, 0x00, 0x00, 0x51, 0, 0, 0, 0, 0, 0, 0]), { tag: 3 });
      const first = await c.packet();
      // response payload: type 07, category 1, tag 1, 5100h, length 0x49, rc 0
      expect(Array.from(first.payload.slice(0, 12))).toEqual([0x07, 0x01, 0x01, 0x00, 0x00, 0x51, 0x49, 0x00, 0x00, 0x00, 0x00, 0x00]);
      c.socket.destroy();
    } finally {
      await server.close();
    }
    expect(server.mctp?.connections()).toBe(0);
  });
});
