// The in-process backend of `cxlemu attach`: an emulator built from a topology, each mailbox
// function driven through its BAR0 registers by the register-only host mailbox driver
// (src/host/driver/mailbox-driver.ts), never through the dispatcher.

import type { AccessWidth, MmioBus } from '../../src/device/bus.js';
import { MailboxDriver } from '../../src/host/driver/mailbox-driver.js';
import { MailboxBusyError, MailboxTimeoutError } from '../../src/host/driver/errors.js';
import * as R from '../../src/host/driver/registers.js';
import { RC } from '../../src/spec/return-codes.js';
import type { EmulatorSystem } from '../../src/system.js';
import { BG_RC_SHIFT, type AttachBackend, type MailboxOutcome, type MailboxPort } from './port.js';

/** Counts accesses without keeping them (a long run would otherwise grow a log without bound). */
class CountingBus implements MmioBus {
  count = 0;
  constructor(private readonly inner: MmioBus) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, width: AccessWidth): bigint {
    this.count++;
    return this.inner.read(offset, width);
  }
  write(offset: number, width: AccessWidth, value: bigint): void {
    this.count++;
    this.inner.write(offset, width, value);
  }
  // The bulk copies are forwarded (payloads would otherwise cost a BigInt access per 8 bytes) and
  // counted as the accesses the fallback makes (pci-probe.ts readPayload/writePayload), so the
  // logged mmio counts do not depend on whether the bus can copy.
  readBytes(offset: number, length: number): Uint8Array | undefined {
    const out = this.inner.readBytes?.(offset, length);
    if (out) this.count += fallbackAccesses(length);
    return out;
  }
  writeBytes(offset: number, data: Uint8Array): boolean {
    const done = this.inner.writeBytes?.(offset, data) ?? false;
    if (done) this.count += fallbackAccesses(data.length);
    return done;
  }
}

/** 8-byte accesses, then single bytes for the tail. */
function fallbackAccesses(n: number): number {
  return Math.floor(n / 8) + (n % 8);
}

export class LocalBackend implements AttachBackend {
  private readonly ports = new Map<string, Promise<MailboxPort>>();

  constructor(readonly system: EmulatorSystem) {}

  functions(): Promise<string[]> {
    return Promise.resolve(this.system.functionNames());
  }

  port(fn: string): Promise<MailboxPort> {
    let p = this.ports.get(fn);
    if (!p) {
      p = this.probe(fn);
      this.ports.set(fn, p);
    }
    return p;
  }

  private async probe(fn: string): Promise<MailboxPort> {
    const f = this.system.mailboxFunction(fn);
    if (!f) throw new Error(`no mailbox function "${fn}"`);
    const bus = new CountingBus(f.bar0);
    const driver = await MailboxDriver.attach(bus, { clock: this.system.clock, config: f.config });
    const cel = driver.commandEffects().entries;
    return {
      fn,
      payloadSize: driver.payloadSize,
      cel,
      accesses: () => bus.count,
      run: async (opcode, input, outputLimit): Promise<MailboxOutcome> => {
        try {
          // The background status is read under the driver's lock: once send() resolves, another
          // descriptor's queued command may already have rung, and the status would be its own.
          return await driver.exclusive(async (send): Promise<MailboxOutcome> => {
            const r = await send(opcode, input, { outputLimit, background: 'return' });
            if (r.rc !== RC.BackgroundCommandStarted) return { kind: 'done', rc: r.rc, payload: r.payload };
            // A user command gets no background wait (poll_count 0): unless the device already
            // finished, the kernel answers -ETIMEDOUT and the operation runs on.
            const mb = driver.mailboxOffset;
            if ((bus.read(mb + R.MB_STATUS, 8) & R.STATUS_BG) !== 0n) return { kind: 'timeout', reason: `background command 0x${opcode.toString(16)} still running` };
            const rc = Number((bus.read(mb + R.MB_BG_STATUS, 8) >> BG_RC_SHIFT) & 0xffffn);
            return { kind: 'done', rc, payload: new Uint8Array(0) };
          });
        } catch (e) {
          if (e instanceof MailboxBusyError) return { kind: 'busy' };
          if (e instanceof MailboxTimeoutError) return { kind: 'timeout', reason: e.message };
          return { kind: 'fault', reason: e instanceof Error ? e.message : String(e) };
        }
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
