// The attach backends below the broker: what one ioctl's command sees on the function's registers
// when several descriptors share a mailbox, and what a lost server connection turns into.

import { describe, expect, it, vi } from 'vitest';
import { nodesFor } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import { RemoteBackend } from '../../emulator/attach/remote-backend.js';
import { TracingBus } from '../../src/device/bus.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import * as R from '../../src/host/driver/registers.js';
import { createSystem } from '../../src/system.js';
import { listen, makeApp } from '../server/helpers.js';

/** Transfer FW, Full, slot 2, with a 128-byte package: a command that goes to the background. */
function transferFw(): Uint8Array {
  const header = new Uint8Array(128);
  header[1] = 2;
  const image = new Uint8Array(128);
  image.set(new TextEncoder().encode('ATTACH-FW 1.0'));
  const b = new Uint8Array(256);
  b.set(header);
  b.set(image, 128);
  return b;
}

describe('attach LocalBackend', () => {
  it("a background command's status is read before a queued command on the same mailbox rings", async () => {
    const system = createSystem();
    const name = nodesFor(system.functionNames()).find((n) => n.node === 'mem0')?.fn ?? '';
    const f = system.mailboxFunction(name);
    if (!f) throw new Error('no mem0 function');
    const trace = new TracingBus(f.bar0);
    vi.spyOn(system, 'mailboxFunction').mockReturnValue({ ...f, bar0: trace });
    const mb = (await MailboxDriver.attach(f.bar0, { clock: system.clock, config: f.config, skipCel: true })).mailboxOffset;
    const port = await new LocalBackend(system).port(name);
    trace.log.splice(0);

    const [fw, id] = await Promise.all([port.run(0x0201, transferFw(), 0), port.run(0x0001, new Uint8Array(0), 67)]);
    expect(fw.kind).toBe('timeout');
    expect(id).toMatchObject({ kind: 'done', rc: 0 });
    const rings = trace.log.flatMap((a, i) => (a.kind === 'write' && a.offset === mb + R.MB_CMD ? [i] : []));
    expect(rings).toHaveLength(2);
    // The driver's read of the return code, then the backend's of Background Operation: both
    // before Identify is written, so neither can be Identify's.
    const statusReads = trace.log.slice(rings[0], rings[1]).filter((a) => a.kind === 'read' && a.offset === mb + R.MB_STATUS);
    expect(statusReads).toHaveLength(2);
  });
});

describe('attach RemoteBackend', () => {
  it('a command on a lost connection is a fault outcome (logged by the broker), not a rejection', async () => {
    const app = await makeApp();
    try {
      const backend = await RemoteBackend.connect(await listen(app), 'admin-token');
      const [fn] = await backend.functions();
      const port = await backend.port(fn ?? 'switch');
      await backend.close();
      const r = await port.run(0x0001, new Uint8Array(0), 67);
      expect(r.kind).toBe('fault');
    } finally {
      await app.close();
    }
  });
});
