// The host mailbox driver. It reaches the device only through MMIO reads and writes and follows
// the steps of CXL r3.2 8.2.8.4 "Mailbox Operation" the way Linux's __cxl_pci_mbox_send_cmd does
// (reference linux-driver-fwctl-mmpt.md §1): one command in flight per mailbox, concurrent callers
// queue behind it; timeouts and a busy mailbox are errors, device return codes are values.

import type { MmioBus } from '../../device/bus.js';
import { RC, rcName } from '../../spec/return-codes.js';
import type { VirtualClock } from '../../time/clock.js';
import { NO_BYTES } from '../../util/bytes.js';
import { readCel } from './cel-read.js';
import { DriverError, MailboxBusyError, MailboxTimeoutError } from './errors.js';
import type { CelMap, CompletionMode, DriverOptions, MailboxResult, SendOptions } from './mailbox-types.js';
import { enableMsixVector, findDeviceRegisterBlock, layoutFromClass, msixBlocked, readCapabilityArray, readPayload, writePayload } from './pci-probe.js';
import * as R from './registers.js';

// The driver's types, importable from here as before the split.
export type { CelMap, CompletionMode, DriverOptions, InterruptSource, MailboxResult, SendOptions } from './mailbox-types.js';

/** Linux refuses a mailbox under 256 bytes and never uses more than 1 MiB of one. */
const MIN_PAYLOAD = 256;
const MAX_PAYLOAD = 1 << 20;

export class MailboxDriver {
  /** Callers waiting for the mailbox: one command in flight, the rest run in arrival order. */
  private readonly waiting: { go: () => void; fail: (e: Error) => void }[] = [];
  private busy = false;
  private irqSeen = { doorbell: false };
  private cel: Map<number, number> = new Map();
  /** Set by close(): why this driver no longer owns the mailbox. */
  private closedReason: string | undefined;
  private wakeClosed: () => void = () => undefined;
  /** Resolves on close(), so a wait on the clock ends at once instead of at its timeout. */
  private readonly closedSignal = new Promise<void>((r) => (this.wakeClosed = r));
  private offInterrupt: (() => void) | undefined;
  private completion: CompletionMode;
  /** Called when the completion mode changes (interrupts lost or back). */
  onCompletionMode: ((m: CompletionMode) => void) | undefined;

  private constructor(
    readonly bus: MmioBus,
    private readonly clock: VirtualClock,
    /** BAR offset of the primary mailbox capability. */
    readonly mailboxOffset: number,
    private readonly statusOffset: number | undefined,
    private readonly statusLayout: 'switch' | 'memdev',
    readonly payloadSize: number,
    readonly interruptVector: number,
    readonly capabilities: number,
    private readonly opts: DriverOptions,
  ) {
    this.completion = opts.interrupts ? { mode: 'interrupt', reason: 'MSI-X vector enabled' } : { mode: 'polling', reason: 'no interrupt source given' };
  }

  /** How completions are being detected right now, and why. */
  get completionMode(): CompletionMode {
    return this.completion;
  }

  /**
   * Give up the mailbox (the device is being reset, or another driver takes over): queued callers
   * and the command in flight fail with a DriverError naming `reason`; nothing of this driver
   * touches a register again, so it can never read a result that belongs to the next owner.
   */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.offInterrupt?.();
    this.wakeClosed();
    for (const w of this.waiting.splice(0)) w.fail(new DriverError(`command not submitted: ${reason}`));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  private assertOpen(opcode: number, stage: 'before' | 'during'): void {
    if (this.closedReason === undefined) return;
    throw new DriverError(
      stage === 'before' ? `command 0x${hex16(opcode)} not submitted: ${this.closedReason}` : `command 0x${hex16(opcode)} lost: ${this.closedReason} while it was in flight`,
    );
  }

  /** Bring-up: locate registers, wait for ready and an idle doorbell, size the payload, read the CEL. */
  static async attach(bus: MmioBus, opts: DriverOptions): Promise<MailboxDriver> {
    const blockOffset = opts.config ? findDeviceRegisterBlock(opts.config) : 0;
    const layout = opts.statusLayout ?? (opts.config ? layoutFromClass(opts.config) : 'switch');
    const caps = readCapabilityArray(bus, blockOffset);
    const mailbox = caps.get(R.CAP_ID_PRIMARY_MAILBOX);
    if (mailbox === undefined) throw new DriverError('no primary mailbox capability in the device capabilities array');
    const status = caps.get(R.CAP_ID_STATUS_4000);

    const mbCaps = Number(bus.read(mailbox + R.MB_CAPS, 4));
    const sizeLog2 = mbCaps & R.CAPS_PAYLOAD_SIZE_MASK;
    const payloadSize = Math.min(2 ** sizeLog2, MAX_PAYLOAD);
    if (payloadSize < MIN_PAYLOAD) throw new DriverError(`mailbox is too small: ${payloadSize} bytes (minimum ${MIN_PAYLOAD})`);
    const vector = (mbCaps >> R.CAPS_MSG_NUMBER_SHIFT) & 0xf;

    const d = new MailboxDriver(bus, opts.clock, mailbox, status, layout, payloadSize, vector, mbCaps, opts);
    await d.waitReady();
    // A previous owner may have left a command in flight (Linux: "timeout awaiting mailbox idle").
    if (!(await d.waitDoorbellClear(true))) throw new MailboxTimeoutError('timeout awaiting mailbox idle');
    d.enableInterrupts();
    if (!opts.skipCel) d.cel = await readCel((opcode, payload) => d.send(opcode, payload), payloadSize);
    return d;
  }

  /** The CEL read at attach: what the device says it supports, with effects. */
  commandEffects(): CelMap {
    const entries = this.cel;
    return { entries, has: (op) => entries.has(op), effects: (op) => entries.get(op) };
  }

  /** Submit one command. Queued behind any command already in flight on this driver. */
  send(opcode: number, payload: Uint8Array = NO_BYTES, opts: SendOptions = {}): Promise<MailboxResult> {
    const r = this.sendNow(opcode, payload, opts);
    return r instanceof Promise ? r : Promise.resolve(r);
  }

  /**
   * send(), with the result itself rather than a promise when the mailbox was idle and the device
   * completed the command inside the doorbell write (no latency, no background wait). Every async
   * layer costs the websocket path a promise and microtask turns per request (bench/run.ts), so the
   * host driver and the server's session carry such a result through without awaiting it. Errors
   * are always a rejected promise, never a throw.
   */
  sendNow(opcode: number, payload: Uint8Array = NO_BYTES, opts: SendOptions = {}): MailboxResult | Promise<MailboxResult> {
    if (this.closedReason !== undefined) return Promise.reject(new DriverError(`command 0x${hex16(opcode)} not submitted: ${this.closedReason}`));
    if (this.busy) return new Promise<void>((go, fail) => this.waiting.push({ go, fail })).then(() => this.runLocked(opcode, payload, opts));
    this.busy = true;
    // An idle mailbox starts at once: no queue hop on the common path.
    return this.runLocked(opcode, payload, opts);
  }

  /** Run one command under the lock and release it after; a value when the device did not make us wait. */
  private runLocked(opcode: number, payload: Uint8Array, opts: SendOptions): MailboxResult | Promise<MailboxResult> {
    let r: MailboxResult | Promise<MailboxResult>;
    try {
      r = this.sendLocked(opcode, payload, opts);
    } catch (e) {
      this.release();
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    if (!(r instanceof Promise)) {
      this.release();
      return r;
    }
    return r.then(
      (v) => {
        this.release();
        return v;
      },
      (e: unknown) => {
        this.release();
        throw e;
      },
    );
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.go();
    else this.busy = false;
  }

  /**
   * Several commands with nobody else's in between (MMPT Send then Receive): `fn` gets a send that
   * runs under the lock this driver already holds for it.
   */
  async exclusive<T>(fn: (send: (opcode: number, payload: Uint8Array, opts?: SendOptions) => Promise<MailboxResult>) => Promise<T>): Promise<T> {
    if (this.closedReason !== undefined) throw new DriverError(`commands not submitted: ${this.closedReason}`);
    if (this.busy) await new Promise<void>((go, fail) => this.waiting.push({ go, fail }));
    else this.busy = true;
    try {
      return await fn(async (opcode, payload, opts = {}) => this.sendLocked(opcode, payload, opts));
    } finally {
      this.release();
    }
  }

  /** The numbered steps of one command; a Promise only when the device makes the driver wait. */
  private sendLocked(opcode: number, payload: Uint8Array, opts: SendOptions): MailboxResult | Promise<MailboxResult> {
    if (opcode < 0 || opcode > 0xffff || !Number.isInteger(opcode)) throw new DriverError(`opcode out of range: ${opcode}`);
    if (payload.length > this.payloadSize) {
      throw new DriverError(`input payload of ${payload.length} bytes exceeds the ${this.payloadSize}-byte mailbox`);
    }
    this.assertOpen(opcode, 'before');
    const mb = this.mailboxOffset;
    // #1 The doorbell must be clear; someone else's command in flight is not ours to wait on.
    if ((Number(this.bus.read(mb + R.MB_CTRL, 4)) & R.CTRL_DOORBELL) !== 0) {
      throw new MailboxBusyError('mailbox queue busy: doorbell already set');
    }
    // #2 Input payload, #3 command register (opcode and length).
    this.writeBytes(mb + R.MB_PAYLOAD, payload);
    const vendorId = opts.vendorId ?? 0;
    if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffff) throw new DriverError(`command vendor ID out of range: ${vendorId}`);
    // Opcode (15:0) and Payload Length (36:16) fit a double exactly: one BigInt, plus the vendor ID's.
    const opLen = BigInt(opcode + payload.length * 0x1_0000);
    this.bus.write(mb + R.MB_CMD, 8, vendorId === 0 ? opLen : opLen | (BigInt(vendorId) << 48n));
    // #4 Ring, keeping the interrupt enables we own.
    this.irqSeen.doorbell = false;
    this.bus.write(mb + R.MB_CTRL, 4, BigInt(this.ctrlEnables() | R.CTRL_DOORBELL));
    // #5 Wait for the device to clear the doorbell (it often has already: no wait then).
    if (this.completedAlready()) return this.collect(opcode, opts);
    return this.waitDoorbellClear().then((cleared) => {
      if (!cleared) {
        this.assertOpen(opcode, 'during');
        throw new MailboxTimeoutError(`mailbox timeout: doorbell still set after ${this.doorbellTimeout} ms (opcode 0x${hex16(opcode)})`);
      }
      return this.collect(opcode, opts);
    });
  }

  /** Steps #6-#8 once the doorbell has cleared: return code, then output length and payload. */
  private collect(opcode: number, opts: SendOptions): MailboxResult | Promise<MailboxResult> {
    this.assertOpen(opcode, 'during');
    this.noteCompletion();
    const mb = this.mailboxOffset;
    // #6 Return code.
    // Fields taken from the 32-bit halves as numbers: each BigInt operation allocates.
    const statusHi = Number(this.bus.read(mb + R.MB_STATUS, 8) >> 32n);
    const rc = statusHi & 0xffff;
    const vendorStatus = statusHi >>> 16;

    if (rc === RC.BackgroundCommandStarted && (opts.background ?? 'wait') === 'wait') {
      return this.waitBackground(opcode, opts.onProgress).then((background) => {
        const vs = Number((this.bus.read(mb + R.MB_BG_STATUS, 8) >> 48n) & 0xffffn);
        return { opcode, rc: background.rc, rcName: rcName(background.rc), vendorStatus: vs, payload: new Uint8Array(0), background };
      });
    }
    // Read now, while this driver still owns the mailbox: no other command can have rung since ours.
    // (Written as undefined rather than spread in when absent: this runs for every command.)
    const hint = this.hintFor(opcode, opts.vendorId ?? 0);
    if (rc !== RC.Success) {
      return { opcode, rc, rcName: rcName(rc), vendorStatus, payload: new Uint8Array(0), hint };
    }
    // #7 Output length, #8 output payload, clamped in case the hardware misbehaves.
    const cmd = this.bus.read(mb + R.MB_CMD, 8);
    const cmdLo = Number(BigInt.asUintN(32, cmd));
    const cmdOpcode = cmdLo & 0xffff;
    // The device writes the completed command's opcode back (CXL r3.2 8.2.8.4.5). Anything else
    // means another writer (a raw register client, a reset) took the mailbox between our ring and
    // now, and the window holds its bytes, not ours: an error, never a Success with foreign data.
    if (cmdOpcode !== opcode) {
      throw new DriverError(`mailbox taken over while opcode 0x${hex16(opcode)} ran: the command register now holds 0x${hex16(cmdOpcode)}; result discarded`);
    }
    // Payload Length, bits 36:16: 16 bits of the low half and 5 of the high.
    const outLen = (cmdLo >>> 16) + (Number(cmd >> 32n) & 0x1f) * 0x1_0000;
    const n = Math.min(outLen, this.payloadSize, opts.outputLimit ?? this.payloadSize);
    const out = this.readBytes(mb + R.MB_PAYLOAD, n);
    return { opcode, rc, rcName: rcName(rc), vendorStatus, payload: out, hint };
  }

  /** The device's reason for the command just completed, if it is the one this driver rang. */
  private hintFor(opcode: number, vendorId: number): string | undefined {
    const h = this.opts.hints?.completionHint();
    return h !== undefined && h.opcode === opcode && h.vendorId === vendorId ? h.hint : undefined;
  }

  private get doorbellTimeout(): number {
    return this.opts.doorbellTimeoutMs ?? 2000;
  }

  private ctrlEnables(): number {
    let v = 0;
    if (this.opts.interrupts && this.capabilities & R.CAPS_DOORBELL_IRQ) v |= R.CTRL_DOORBELL_IRQ;
    if (this.opts.interrupts && this.capabilities & R.CAPS_BG_IRQ) v |= R.CTRL_BG_IRQ;
    return v;
  }

  private enableInterrupts(): void {
    if (!this.opts.interrupts) return;
    if (this.opts.config) enableMsixVector(this.opts.config, this.bus, this.interruptVector);
    this.offInterrupt = this.opts.interrupts.on('interrupt', (e) => {
      if (e.vector !== this.interruptVector) return;
      // The vector is shared by doorbell and background completion; the waiter re-reads the
      // doorbell to see whether the wake-up was for it.
      this.irqSeen.doorbell = true;
    });
    const enables = this.ctrlEnables();
    if (enables) this.bus.write(this.mailboxOffset + R.MB_CTRL, 4, BigInt(enables));
  }

  /**
   * After ringing: the doorbell interrupt has come, or the doorbell reads clear. The read is made
   * in interrupt mode too: whoever can write config space or BAR0 can clear MSI-X Enable, reset
   * the function or mask the vector, and an interrupt that never comes must not hang every caller.
   */
  private completedAlready(): boolean {
    return (this.ctrlEnables() & R.CTRL_DOORBELL_IRQ && this.irqSeen.doorbell) || !this.doorbellSet();
  }

  /** A command completed: did its interrupt come? If not, find out why and say so once. */
  private noteCompletion(): void {
    if (!(this.ctrlEnables() & R.CTRL_DOORBELL_IRQ)) return;
    if (this.irqSeen.doorbell) {
      if (this.completion.mode !== 'interrupt') this.setCompletion({ mode: 'interrupt', reason: 'doorbell interrupts arrive again' });
      return;
    }
    const why = this.opts.config ? msixBlocked(this.opts.config, this.bus, this.interruptVector) : undefined;
    const reason = why ?? 'the doorbell interrupt did not arrive';
    if (this.completion.mode !== 'polling' || this.completion.reason !== reason) this.setCompletion({ mode: 'polling', reason });
  }

  private setCompletion(m: CompletionMode): void {
    this.completion = m;
    this.onCompletionMode?.(m);
  }

  private doorbellSet(): boolean {
    return (Number(this.bus.read(this.mailboxOffset + R.MB_CTRL, 4)) & R.CTRL_DOORBELL) !== 0;
  }

  private async waitDoorbellClear(idleCheck = false): Promise<boolean> {
    const timeout = this.doorbellTimeout;
    if (this.ctrlEnables() & R.CTRL_DOORBELL_IRQ) {
      // The idle check at attach: nothing of ours is in flight, so no interrupt is coming, and a
      // manual clock would wait forever for one.
      if (idleCheck && !this.doorbellSet()) return true;
      // Interrupt mode: sleep from one device event to the next until the doorbell interrupt
      // arrives or the doorbell reads clear (interrupts may have been taken away: then this is
      // polling at the device's own pace), then confirm with one read. Once the driver has seen
      // interrupts fail it polls at the poll interval, as without interrupts.
      const step = this.completion.mode === 'polling' ? (this.opts.pollIntervalMs ?? 1) : undefined;
      // (completedAlready has just read the doorbell: the first check skips the register.)
      const from = this.clock.now();
      await this.waitUntil(() => this.irqSeen.doorbell || (this.clock.now() > from && !this.doorbellSet()), timeout, step);
      return !this.doorbellSet();
    }
    return this.waitUntil(() => !this.doorbellSet(), timeout, this.opts.pollIntervalMs ?? 1, () => !this.doorbellSet());
  }

  /**
   * Wait until `cond` holds or `timeoutMs` of virtual time passes. With a `stepMs` the wait polls at
   * that interval; without one it sleeps until the clock's next scheduled device event (interrupt
   * mode). `finalCheck` runs once after the deadline (Linux re-checks the doorbell once too).
   */
  private async waitUntil(cond: () => boolean, timeoutMs: number, stepMs: number | undefined, finalCheck: () => boolean = cond): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    while (!cond()) {
      if (this.closedReason !== undefined) return false;
      const now = this.clock.now();
      if (now >= deadline) return finalCheck();
      const next = this.clock.nextDeadline();
      const step = stepMs ?? (next !== undefined && next > now ? Math.min(next, deadline) - now : deadline - now);
      await Promise.race([this.clock.sleep(Math.min(step, deadline - now)), this.closedSignal]);
    }
    return true;
  }

  private async waitBackground(opcode: number, onProgress?: (pct: number) => void): Promise<{ opcode: number; percent: number; rc: number }> {
    const mb = this.mailboxOffset;
    const read = (): { opcode: number; percent: number; rc: number; running: boolean } => {
      const bg = this.bus.read(mb + R.MB_BG_STATUS, 8);
      const running = (this.bus.read(mb + R.MB_STATUS, 8) & R.STATUS_BG) !== 0n;
      return { opcode: Number(bg & 0xffffn), percent: Number((bg >> 16n) & 0x7fn), rc: Number((bg >> 32n) & 0xffffn), running };
    };
    let last = -1;
    let state = read();
    const timeout = this.opts.backgroundTimeoutMs ?? 4 * 3600_000;
    const step = this.opts.backgroundPollMs ?? 1000;
    const start = this.clock.now();
    // Completion is "Background Operation" clear in Mailbox Status: an aborted command ends below 100%.
    while (state.running) {
      if (state.percent !== last) onProgress?.((last = state.percent));
      if (this.clock.now() - start >= timeout) {
        throw new MailboxTimeoutError(`timeout waiting for background command 0x${hex16(opcode)} (${timeout} ms, ${state.percent}%)`);
      }
      await Promise.race([this.clock.sleep(step), this.closedSignal]);
      this.assertOpen(opcode, 'during');
      state = read();
    }
    if (state.percent !== last) onProgress?.(state.percent);
    return { opcode: state.opcode, percent: state.percent, rc: state.rc };
  }

  private async waitReady(): Promise<void> {
    if (this.statusOffset === undefined) return;
    const bit = this.statusLayout === 'switch' ? R.SWITCH_STATUS_READY : R.MEMDEV_STATUS_READY;
    const off = this.statusOffset;
    const ok = await this.waitUntil(() => (this.bus.read(off, 8) & bit) !== 0n, this.opts.readyTimeoutMs ?? 60_000, 100);
    if (!ok) throw new MailboxTimeoutError('timeout awaiting mailbox ready');
  }

  private writeBytes(base: number, data: Uint8Array): void {
    writePayload(this.bus, base, data);
  }

  private readBytes(base: number, n: number): Uint8Array {
    return readPayload(this.bus, base, n);
  }
}

function hex16(n: number): string {
  return n.toString(16).padStart(4, '0');
}
