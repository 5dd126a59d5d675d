// The attach backends below the broker: what one ioctl's command sees on the function's registers
// when several descriptors share a mailbox, the MMIO count the audit log gets, what a lost server
// connection turns into, and what a failed probe leaves behind.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runAttached } from '../../emulator/attach/attach.js';
import { nodesFor } from '../../emulator/attach/broker.js';
import { LocalBackend } from '../../emulator/attach/local-backend.js';
import type { AttachBackend } from '../../emulator/attach/port.js';
import { RemoteBackend } from '../../emulator/attach/remote-backend.js';
import { CEL_UUID } from '../../src/commands/generic/logs.js';
import { TracingBus, type MmioBus } from '../../src/device/bus.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import * as R from '../../src/host/driver/registers.js';
import { DEFAULT_KERNEL } from '../../src/host/linux/cxl-mem-uapi.js';
import { createSystem } from '../../src/system.js';
import { listen, makeApp } from '../server/helpers.js';
import { compilerMissing } from './wire-helpers.js';

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

  it('counts the same MMIO accesses whether the payload window is copied in bulk or access by access', async () => {
    const counts = async (bulk: boolean): Promise<{ accesses: number[]; copies: number }> => {
      const system = createSystem();
      const name = nodesFor(system.functionNames()).find((n) => n.node === 'mem0')?.fn ?? '';
      const f = system.mailboxFunction(name);
      if (!f) throw new Error('no mem0 function');
      let copies = 0;
      const inner = f.bar0;
      // Without bulk: TracingBus has no readBytes/writeBytes, so the driver falls back to accesses.
      const bar0: MmioBus = bulk
        ? {
            size: inner.size,
            read: (o, w) => inner.read(o, w),
            write: (o, w, v) => inner.write(o, w, v),
            readBytes: (o, n) => {
              const r = inner.readBytes?.(o, n);
              if (r) copies++;
              return r;
            },
            writeBytes: (o, d) => {
              const done = inner.writeBytes?.(o, d) ?? false;
              if (done) copies++;
              return done;
            },
          }
        : new TracingBus(inner);
      vi.spyOn(system, 'mailboxFunction').mockReturnValue({ ...f, bar0 });
      const port = await new LocalBackend(system).port(name);
      const accesses: number[] = [];
      // Identify (67 bytes out: 8 eight-byte reads and 3 single bytes), then Get Log of the CEL
      // (24 bytes in) and its 100 bytes out.
      const getLog = new Uint8Array(0x18);
      getLog.set(CEL_UUID);
      new DataView(getLog.buffer).setUint32(0x14, 100, true);
      for (const [op, input, out] of [[0x0001, new Uint8Array(0), 67], [0x0401, getLog, 100]] as const) {
        const before = port.accesses();
        expect((await port.run(op, input, out)).kind).toBe('done');
        accesses.push(port.accesses() - before);
      }
      return { accesses, copies };
    };
    const bulk = await counts(true);
    const single = await counts(false);
    expect(bulk.copies).toBeGreaterThan(0);
    expect(bulk.accesses).toEqual(single.accesses);
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

describe.skipIf(compilerMissing() !== undefined)('runAttached', () => {
  it('a backend whose probe fails leaves no temporary directory behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'cxlemu-backend-test-'));
    const saved = { TMPDIR: process.env['TMPDIR'], XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'] };
    // tmpdir() is shared with every other process: only a directory of our own shows a leak.
    process.env['TMPDIR'] = join(base, 'tmp');
    process.env['XDG_CACHE_HOME'] = join(base, 'cache');
    mkdirSync(join(base, 'tmp'));
    try {
      const gone = (): Promise<never> => Promise.reject(new Error('server gone'));
      const backend: AttachBackend = { functions: gone, port: gone, close: () => Promise.resolve() };
      await expect(runAttached({ backend, kernel: DEFAULT_KERNEL, program: 'true', args: [], io: { err: () => undefined } })).rejects.toThrow(/server gone/);
      expect(readdirSync(join(base, 'tmp'))).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
