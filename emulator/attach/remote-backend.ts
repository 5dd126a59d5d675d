// The --url backend of `cxlemu attach`: a running server's mailbox functions driven through its
// register programs (README "register programs"), so each ioctl is the cxl_pci register sequence
// on the server's registers in one round trip (two: the doorbell check comes first, because the
// kernel answers a set doorbell with -EBUSY before writing anything). Register writes need a
// connection of scope `full` (a token the server maps to it).

import type { CxlemuClient } from '../../src/client/client.js';
import { readCel } from '../../src/host/driver/cel-read.js';
import type { MailboxResult } from '../../src/host/driver/mailbox-types.js';
import * as R from '../../src/host/driver/registers.js';
import type { RegisterStep } from '../../src/protocol/register-program.js';
import { RC, rcName } from '../../src/spec/return-codes.js';
import { connect } from '../ws-transport.js';
import { BG_RC_SHIFT, type AttachBackend, type MailboxOutcome, type MailboxPort } from './port.js';

const MIN_PAYLOAD = 256;
const MAX_PAYLOAD = 1 << 20;

export class RemoteBackend implements AttachBackend {
  private readonly ports = new Map<string, Promise<MailboxPort>>();

  private constructor(private readonly client: CxlemuClient) {}

  static async connect(url: string, token?: string): Promise<RemoteBackend> {
    return new RemoteBackend(await connect(url, token ? { token } : {}));
  }

  async functions(): Promise<string[]> {
    return [...(await this.client.status()).functions];
  }

  port(fn: string): Promise<MailboxPort> {
    let p = this.ports.get(fn);
    if (!p) {
      p = this.probe(fn);
      this.ports.set(fn, p);
    }
    return p;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async program(fn: string, steps: RegisterStep[]): Promise<{ values: bigint[]; data: Uint8Array[]; timedOut: boolean; error: string; count: number }> {
    const r = await this.client.registerProgram(fn, steps);
    return {
      values: r.results.map((x) => x.value ?? 0n),
      data: r.results.map((x) => x.data ?? new Uint8Array(0)),
      timedOut: r.timedOut,
      error: r.completed || r.timedOut ? '' : r.error || `register program stopped at step ${r.failedStep}`,
      count: r.results.length,
    };
  }

  private async read(fn: string, offset: number, width: 4 | 8): Promise<bigint> {
    const r = await this.program(fn, [{ op: 'read', offset, width }]);
    if (r.error) throw new Error(`${fn}: ${r.error}`);
    return r.values[0] ?? 0n;
  }

  private async config(fn: string, offset: number, width: 1 | 2 | 4): Promise<number> {
    return this.client.configRead(fn, offset, width);
  }

  /** CXL r3.2 8.1.9.1 Register Locator DVSEC, then 8.2.8.1 the capability array: the mailbox's offset. */
  private async locateMailbox(fn: string): Promise<number> {
    let block: number | undefined;
    for (let off = R.PCI_EXT_CAP_START, guard = 0; off !== 0 && guard < 64 && block === undefined; guard++) {
      const hdr = (await this.config(fn, off, 4)) >>> 0;
      if ((hdr & 0xffff) === R.PCI_EXT_CAP_ID_DVSEC) {
        const h1 = (await this.config(fn, off + 4, 4)) >>> 0;
        const id = await this.config(fn, off + 8, 2);
        if ((h1 & 0xffff) === R.CXL_DVSEC_VENDOR && id === R.CXL_DVSEC_REGISTER_LOCATOR) {
          for (let e = off + 0x0c; e + 8 <= off + (h1 >>> 20); e += 8) {
            const lo = (await this.config(fn, e, 4)) >>> 0;
            if (((lo >>> 8) & 0xff) === R.REGISTER_BLOCK_DEVICE && (lo & 7) === 0) block = lo & 0xffff0000;
          }
        }
      }
      off = hdr >>> 20;
    }
    if (block === undefined) throw new Error(`${fn}: no Register Locator DVSEC with a device register block`);
    const count = Number((await this.read(fn, block, 8)) >> R.CAP_ARRAY_COUNT_SHIFT) & 0xffff;
    for (let i = 1; i <= count; i++) {
      const hdr = block + i * R.CAP_HEADER_SIZE;
      if (Number((await this.read(fn, hdr, 4)) & 0xffffn) === R.CAP_ID_PRIMARY_MAILBOX) return block + Number(await this.read(fn, hdr + 4, 4));
    }
    throw new Error(`${fn}: no primary mailbox capability`);
  }

  private async probe(fn: string): Promise<MailboxPort> {
    const mb = await this.locateMailbox(fn);
    const payloadSize = Math.min(2 ** Number((await this.read(fn, mb + R.MB_CAPS, 4)) & BigInt(R.CAPS_PAYLOAD_SIZE_MASK)), MAX_PAYLOAD);
    if (payloadSize < MIN_PAYLOAD) throw new Error(`${fn}: mailbox of ${payloadSize} bytes is under the kernel's minimum`);
    let accesses = 0;
    const ring = async (opcode: number, input: Uint8Array, outputLimit: number): Promise<MailboxOutcome> => {
      const check = await this.program(fn, [{ op: 'read', offset: mb + R.MB_CTRL, width: 4 }]);
      accesses += check.count;
      if (check.error) return { kind: 'fault', reason: check.error };
      if (((check.values[0] ?? 0n) & BigInt(R.CTRL_DOORBELL)) !== 0n) return { kind: 'busy' };
      const steps: RegisterStep[] = [
        ...(input.length ? [{ op: 'payloadWrite', offset: 0, data: input } as const] : []),
        { op: 'write', offset: mb + R.MB_CMD, width: 8, value: BigInt(opcode) | (BigInt(input.length) << 16n) },
        { op: 'write', offset: mb + R.MB_CTRL, width: 4, value: BigInt(R.CTRL_DOORBELL) },
        { op: 'poll', offset: mb + R.MB_CTRL, width: 4, mask: BigInt(R.CTRL_DOORBELL), expect: 0n },
        { op: 'read', offset: mb + R.MB_STATUS, width: 8 },
        { op: 'read', offset: mb + R.MB_BG_STATUS, width: 8 },
        { op: 'payloadRead', offset: 0, length: 0, lengthFromCommand: true },
      ];
      const r = await this.program(fn, steps);
      accesses += r.count;
      if (r.timedOut) return { kind: 'timeout', reason: `mailbox timeout: doorbell still set (opcode 0x${opcode.toString(16)})` };
      if (r.error) return { kind: 'fault', reason: r.error };
      const k = input.length ? 1 : 0;
      const status = r.values[k + 3] ?? 0n;
      let rc = Number((status >> 32n) & 0xffffn);
      if (rc === RC.BackgroundCommandStarted) {
        if ((status & R.STATUS_BG) !== 0n) return { kind: 'timeout', reason: `background command 0x${opcode.toString(16)} still running` };
        rc = Number(((r.values[k + 4] ?? 0n) >> BG_RC_SHIFT) & 0xffffn);
        return { kind: 'done', rc, payload: new Uint8Array(0) };
      }
      const data = r.data[k + 5] ?? new Uint8Array(0);
      return { kind: 'done', rc, payload: rc === 0 ? data.slice(0, Math.min(outputLimit, payloadSize)) : new Uint8Array(0) };
    };
    // A lost connection is a fault like a register program that stopped: the broker logs it with
    // the ioctl instead of ending it in its generic catch as an unlogged EIO.
    const run = async (opcode: number, input: Uint8Array, outputLimit: number): Promise<MailboxOutcome> => {
      try {
        return await ring(opcode, input, outputLimit);
      } catch (e) {
        return { kind: 'fault', reason: e instanceof Error ? e.message : String(e) };
      }
    };
    const cel = await readCel(sendOver(run, payloadSize), payloadSize);
    return { fn, payloadSize, cel, run, accesses: () => accesses };
  }
}

/**
 * The driver's send over a port's run, for the shared CEL reader: a busy, timed-out or faulted
 * command throws, so a CEL the probe could not read whole fails the attach instead of leaving
 * supported commands out (the broker would answer them ENOTTY).
 */
function sendOver(run: MailboxPort['run'], payloadSize: number): (opcode: number, payload?: Uint8Array) => Promise<MailboxResult> {
  return async (opcode, payload = new Uint8Array(0)) => {
    const o = await run(opcode, payload, payloadSize);
    if (o.kind !== 'done') throw new Error(`opcode 0x${opcode.toString(16)} at probe: ${o.kind === 'busy' ? 'mailbox busy' : o.reason}`);
    return { opcode, rc: o.rc, rcName: rcName(o.rc), vendorStatus: 0, payload: o.payload };
  };
}
