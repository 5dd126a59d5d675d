// The host driver the rest of the world uses: the mailbox driver underneath, the filter in front.
// Validate, then submit (Linux cxl_validate_cmd_from_user / handle_mailbox_cmd_from_user): a
// refused command never reaches a register. At open the driver walks the fabric and reads the CEL
// of every CCI it can reach: the switch's, then through tunnels each DSP's device (an SLD's LD or
// an MLD's FM-owned LD) and each LD behind an FM-owned LD.

import { RC, rcName } from '../spec/return-codes.js';
import type { VirtualClock } from '../time/clock.js';
import { ByteReader, NO_BYTES } from '../util/bytes.js';
import { TUNNEL_OPCODE, unwrapTunnelResponses, wrapInTunnels, type TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import { DriverError } from './driver/errors.js';
import { MailboxDriver, type MailboxResult } from './driver/mailbox-driver.js';
import { AuditLog } from './policy/audit.js';
import { decide, hex4, payloadMatters, type CciKind, type CciView, type Decision } from './policy/decide.js';
import { scopeRank, type Scope } from './policy/scopes.js';
import { unroutableReply } from './policy/unroutable.js';
import { decodeCciMessage } from '../cci/message.js';
import { MMPT_RECEIVE_MESSAGE, MMPT_SEND_MESSAGE, PCI_SIG_VENDOR_ID } from '../commands/mmpt/mmpt-message.js';
import { MmptChannel } from './mmpt-channel.js';
import { readCelVia, readFeatures, readPortStates, type RawSend } from './fabric-reads.js';
import type { Completed, HostDriverOptions, HostDriverStatus, SubmitOutcome, SubmitRequest } from './driver-types.js';

// The driver's types, importable from here as before the split.
export type { Completed, HostDriverOptions, HostDriverStatus, Refused, SubmitOutcome, SubmitRequest } from './driver-types.js';

/** Below this many LDs behind MLDs, a `deferred` open reads them all before returning. */
export const DEFERRED_WALK_MIN_LDS = 64;

export function routeKey(route: readonly TunnelHop[]): string {
  return route.map((h) => `${h.id}${h.targetType ? `/${h.targetType}` : ''}`).join(':');
}

export class HostDriver {
  readonly audit: AuditLog;
  private readonly views = new Map<string, CciView>();
  /** Decisions that depend only on the switch CEL, the opcode and the scope; cleared by discover(). */
  private readonly decisions = new Map<number, Decision>();
  /** LDs behind each MLD port whose CELs a deferred walk has still to read (port -> LD count). */
  private readonly pendingLds = new Map<number, number>();
  private discovered: Promise<void> = Promise.resolve();
  /** The unfiltered send the fabric walk reads with (fabric-reads.ts). */
  private readonly reads: RawSend = (route, opcode, payload) => this.raw(route, opcode, payload);
  private allowAllFlag: boolean;
  maxScope: Scope;

  private constructor(
    readonly mailbox: MailboxDriver,
    private readonly clock: VirtualClock,
    private readonly opts: HostDriverOptions,
  ) {
    this.audit = opts.audit ?? new AuditLog();
    this.maxScope = opts.maxScope ?? 'read-only';
    this.allowAllFlag = false;
    if (opts.allowAll) this.setAllowAll(true);
  }

  static async open(opts: HostDriverOptions): Promise<HostDriver> {
    const mailbox = await MailboxDriver.attach(opts.bus, {
      clock: opts.clock,
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.interrupts ? { interrupts: opts.interrupts } : {}),
      ...(opts.doorbellTimeoutMs !== undefined ? { doorbellTimeoutMs: opts.doorbellTimeoutMs } : {}),
      ...(opts.hints ? { hints: opts.hints } : {}),
    });
    const d = new HostDriver(mailbox, opts.clock, opts);
    await d.discover(opts.discovery ?? 'complete');
    return d;
  }

  get allowAll(): boolean {
    return this.allowAllFlag;
  }

  /** Turning the escape hatch on is itself audited and taints the driver. */
  setAllowAll(on: boolean): void {
    if (on === this.allowAllFlag) return;
    this.allowAllFlag = on;
    const reason = on ? 'ALLOW-ALL ENABLED: the filter is bypassed, every command will be submitted' : 'allow-all disabled: filtering again';
    this.audit.record({ atMs: this.clock.now(), allowed: on, opcode: 0, route: [], scope: 'full', reason, override: on });
    if (on) this.audit.taint({ atMs: this.clock.now(), opcode: 0, reason: 'allow-all escape hatch enabled' });
  }

  /** Give up the mailbox for good (MailboxDriver.close): pending commands fail naming `reason`. */
  close(reason: string): void {
    this.mailbox.close(reason);
  }

  /** Resolves when the fabric walk has read every CEL (at once unless opened `deferred`). */
  whenDiscovered(): Promise<void> {
    return this.discovered;
  }

  /** A route to an LD whose CEL a deferred walk has not read yet. */
  private pending(route: readonly TunnelHop[]): boolean {
    if (this.pendingLds.size === 0 || route.length !== 2) return false;
    const [port, ld] = route as [TunnelHop, TunnelHop];
    const count = this.pendingLds.get(port.id);
    return count !== undefined && !port.targetType && !ld.targetType && ld.id < count && !this.views.has(routeKey(route));
  }

  /**
   * Run a filter decision against the directory. If it consulted an LD the deferred walk has not
   * reached, wait for the walk and decide again: a decision is never made on a partial directory.
   */
  async directoryWith<T>(decideFn: (directory: (route: readonly TunnelHop[]) => CciView | undefined) => T): Promise<T> {
    let missed = false;
    const first = decideFn((r) => {
      const v = this.cci(r);
      if (!v && this.pending(r)) missed = true;
      return v;
    });
    if (!missed) return first;
    await this.discovered;
    return decideFn((r) => this.cci(r));
  }

  /** The CCIs found at open, by route ('' is the switch, '3' a DSP's device, '3:1' LD 1 behind it). */
  cci(route: readonly TunnelHop[]): CciView | undefined {
    return this.views.get(routeKey(route));
  }

  status(): HostDriverStatus {
    return {
      maxScope: this.maxScope,
      allowAll: this.allowAllFlag,
      ...(this.audit.tainted ? { tainted: this.audit.tainted } : {}),
      auditEntries: this.audit.size,
      ccis: [...this.views.entries()].map(([route, v]) => ({ route, kind: v.kind, label: v.label, commands: v.cel.size })),
    };
  }

  /** A private MMPT channel: its own response queue (mmpt-channel.ts). One per connection. */
  mmptChannel(capacity?: number): MmptChannel {
    return new MmptChannel(this, capacity);
  }

  /**
   * MMPT Send Message then Receive Message with nobody else's command between them; the filter has
   * already judged the carried message. Internal to MmptChannel.
   */
  async mmptExchange(message: Uint8Array, decision: Decision, scope: Scope): Promise<Completed> {
    this.audit.record({
      atMs: this.clock.now(),
      allowed: true,
      opcode: decision.opcode,
      innerOpcode: decision.innerOpcode,
      route: decision.route,
      scope,
      class: decision.class,
      requiredScope: decision.requiredScope,
      reason: decision.reason,
    });
    if (decision.class === 'write' || decision.class === 'destructive') {
      this.audit.taint({ atMs: this.clock.now(), opcode: decision.opcode, ...(decision.innerOpcode !== undefined ? { innerOpcode: decision.innerOpcode } : {}), reason: `${decision.class} command in an MMPT message at scope ${scope}: ${hex4(decision.innerOpcode ?? decision.opcode)}` });
    }
    const vendorId = PCI_SIG_VENDOR_ID;
    return this.mailbox.exclusive(async (send) => {
      const sent = await send(MMPT_SEND_MESSAGE, message, { vendorId, background: 'return' });
      if (sent.rc !== RC.Success) return completed(sent, decision);
      const got = await send(MMPT_RECEIVE_MESSAGE, new Uint8Array(0), { vendorId, background: 'return' });
      return completed(got, decision);
    });
  }

  /** Audit a refusal decided outside submit (an MMPT message the filter refused). */
  auditRefusal(decision: Decision): void {
    this.audit.record({ atMs: this.clock.now(), allowed: false, opcode: decision.opcode, innerOpcode: decision.innerOpcode, route: decision.route, scope: decision.scope, class: decision.class, requiredScope: decision.requiredScope, reason: decision.reason });
  }

  /** Decide without submitting (what `submit` would do at this scope). */
  check(req: SubmitRequest): Decision {
    const { opcode, payload } = wrapInTunnels(req.tunnel ?? [], req.opcode, req.payload ?? NO_BYTES);
    return this.decide(opcode, payload, req.scope ?? 'read-only');
  }

  /** The filter's decision for a command as sent (tunnels already wrapped), remembered where it can be. */
  decision(opcode: number, payload: Uint8Array, scope: Scope): Decision {
    return this.decide(opcode, payload, scope);
  }

  private decide(opcode: number, payload: Uint8Array, scope: Scope): Decision {
    const sw = this.views.get('');
    if (!sw || payloadMatters(opcode)) return decide(opcode, payload, scope, (r) => this.cci(r));
    const key = opcode * 8 + scopeRank(scope);
    let d = this.decisions.get(key);
    if (!d) this.decisions.set(key, (d = decide(opcode, payload, scope, (r) => this.cci(r))));
    return d;
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    return this.submitNow(req);
  }

  /**
   * submit(), with the outcome itself rather than a promise when the filter decided at once and
   * the device completed inside the doorbell write (MailboxDriver.sendNow): the server's session
   * answers such a command without a microtask turn per layer. Errors are a rejected promise.
   */
  submitNow(req: SubmitRequest): SubmitOutcome | Promise<SubmitOutcome> {
    try {
      return this.submitChecked(req);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private submitChecked(req: SubmitRequest): SubmitOutcome | Promise<SubmitOutcome> {
    const scope = req.scope ?? 'read-only';
    const route = req.tunnel ?? [];
    const { opcode, payload } = wrapInTunnels(route, req.opcode, req.payload ?? NO_BYTES);
    const at = this.clock.now();
    if (scopeRank(scope) > scopeRank(this.maxScope)) {
      const decision: Decision = { allowed: false, opcode, scope, route, reason: `scope ${scope} exceeds this caller's maximum scope ${this.maxScope}` };
      this.audit.record({ atMs: at, allowed: false, opcode, route, scope, reason: decision.reason });
      return { refused: true, reason: decision.reason, decision };
    }
    // While a deferred walk runs, a decision that touches an LD not yet read waits for it.
    if (this.pendingLds.size) {
      return this.directoryWith((dir) => decide(opcode, payload, scope, dir)).then((d) => this.submitDecided(req, opcode, payload, at, d));
    }
    return this.submitDecided(req, opcode, payload, at, this.decide(opcode, payload, scope));
  }

  private submitDecided(req: SubmitRequest, opcode: number, payload: Uint8Array, at: number, decided: Decision): SubmitOutcome | Promise<SubmitOutcome> {
    const scope = req.scope ?? 'read-only';
    const route = req.tunnel ?? [];
    let decision = decided;
    let override = false;
    if (!decision.allowed && this.allowAllFlag) {
      override = true;
      decision = { ...decision, allowed: true, reason: `ALLOW-ALL override of a refusal: ${decision.reason}` };
    }
    // Optional fields are written as undefined rather than spread in: this runs for every command.
    this.audit.record({
      atMs: at,
      allowed: decision.allowed,
      opcode,
      innerOpcode: decision.innerOpcode,
      route: decision.route,
      scope,
      class: decision.class,
      requiredScope: decision.requiredScope,
      reason: decision.reason,
      override: override || undefined,
    });
    if (!decision.allowed && decision.unroutable) {
      // Nothing answers at the route: answer as the switch does, without submitting (unroutable.ts).
      const m = decodeCciMessage(unroutableReply(0, payload, decision.route.length));
      if (!m.ok) throw new DriverError('internal: unroutable reply does not decode');
      return this.finish({ opcode, rc: m.value.rc, rcName: rcName(m.value.rc), vendorStatus: 0, payload: m.value.payload }, route.length, decision, req);
    }
    if (!decision.allowed) return { refused: true, reason: decision.reason, decision };
    if (override || decision.class === 'write' || decision.class === 'destructive') {
      this.audit.taint({
        atMs: at,
        opcode,
        ...(decision.innerOpcode !== undefined ? { innerOpcode: decision.innerOpcode } : {}),
        reason: `${override ? 'allow-all override' : `${decision.class} command at scope ${scope}`}: ${hex4(decision.innerOpcode ?? opcode)}`,
      });
    }
    return this.run(opcode, payload, route.length, decision, req);
  }

  private run(opcode: number, payload: Uint8Array, depth: number, decision: Decision, req: SubmitRequest): Completed | Promise<Completed> {
    const sent = this.mailbox.sendNow(opcode, payload, {
      background: req.background ?? 'wait',
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    });
    // A direct command needs no unwrapping: no async layer of its own.
    if (!(sent instanceof Promise)) return depth === 0 ? completed(sent, decision) : this.finish(sent, depth, decision, req);
    return depth === 0 ? sent.then((res) => completed(res, decision)) : sent.then((res) => this.finish(res, depth, decision, req));
  }

  private async finish(res: MailboxResult, depth: number, decision: Decision, req: SubmitRequest): Promise<Completed> {
    if (depth === 0) return completed(res, decision);
    if (res.rc !== RC.Success) return { ...completed(res, decision), tunnelRc: res.rc };
    const inner = unwrapTunnelResponses(res.payload, depth);
    if (!inner) throw new DriverError(`malformed tunnel response to ${hex4(req.opcode)}`);
    const base: Completed = { refused: false, rc: inner.rc, rcName: rcName(inner.rc), vendorStatus: inner.vendorStatus, payload: inner.payload, decision, hint: res.hint };
    if (inner.rc === RC.BackgroundCommandStarted && (req.background ?? 'wait') === 'wait') {
      const bg = await this.followTunnelledBackground(req.tunnel ?? [], req.opcode, req.onProgress);
      return { ...base, rc: bg.rc, rcName: rcName(bg.rc), payload: new Uint8Array(0), background: bg };
    }
    return base;
  }

  /** A background command behind a tunnel: poll Background Operation Status through the same route. */
  private async followTunnelledBackground(route: readonly TunnelHop[], opcode: number, onProgress?: (p: number) => void): Promise<{ opcode: number; percent: number; rc: number }> {
    const start = this.clock.now();
    let last = -1;
    for (;;) {
      const r = await this.raw(route, 0x0002);
      if (r.rc !== RC.Success || r.payload.length < 8) throw new DriverError(`Background Operation Status via tunnel failed: ${rcName(r.rc)}`);
      const b = new ByteReader(r.payload);
      const running = (b.u8(0) & 1) === 1;
      const percent = b.u8(0) >> 1;
      if (percent !== last) onProgress?.((last = percent));
      if (!running) return { opcode: b.u16(2), percent, rc: b.u16(4) };
      if (this.clock.now() - start > 4 * 3600_000) throw new DriverError(`timeout waiting for tunnelled background command ${hex4(opcode)}`);
      await this.clock.sleep(1000);
    }
  }

  /** Unfiltered send for the driver's own discovery and polling (read-only commands only). */
  private async raw(route: readonly TunnelHop[], opcode: number, payload: Uint8Array = new Uint8Array(0)): Promise<{ rc: number; payload: Uint8Array }> {
    const w = wrapInTunnels(route, opcode, payload);
    const res = await this.mailbox.send(w.opcode, w.payload, { background: 'return' });
    if (route.length === 0 || res.rc !== RC.Success) return res;
    return unwrapTunnelResponses(res.payload, route.length) ?? { rc: RC.InternalError, payload: new Uint8Array(0) };
  }

  /**
   * Walk the fabric and read every reachable CEL (and Supported Features where listed). `deferred`
   * leaves the LDs behind each MLD to a background walk (see HostDriverOptions.discovery).
   */
  async discover(mode: 'complete' | 'deferred' = 'complete'): Promise<void> {
    this.views.clear();
    this.decisions.clear();
    this.pendingLds.clear();
    const swCel = new Map(this.mailbox.commandEffects().entries);
    this.views.set('', { kind: 'switch', label: 'the switch CCI', cel: swCel, features: await readFeatures(this.reads, [], swCel) });
    if (!swCel.has(0x5100) || !swCel.has(0x5101) || !swCel.has(TUNNEL_OPCODE)) return;

    const ident = await this.raw([], 0x5100);
    if (ident.rc !== RC.Success) return;
    const bitmask = ident.payload.slice(4, 36);
    const ports: number[] = [];
    bitmask.forEach((byte, i) => {
      for (let b = 0; b < 8; b++) if (byte & (1 << b)) ports.push(i * 8 + b);
    });
    const states = await readPortStates(this.reads, this.mailbox.payloadSize, ports);
    const mlds: [number, number][] = [];
    for (const { port, deviceType } of states) {
      if (deviceType !== 4 && deviceType !== 5) continue;
      const route = [{ id: port }];
      const cel = await readCelVia(this.reads, route);
      if (!cel) continue;
      const kind: CciKind = deviceType === 5 ? 'fm-owned-ld' : 'ld';
      this.views.set(routeKey(route), { kind, label: deviceType === 5 ? `the FM-owned LD at port ${port}` : `the SLD at port ${port}`, cel, features: await readFeatures(this.reads, route, cel) });
      if (kind !== 'fm-owned-ld' || !cel.has(TUNNEL_OPCODE)) continue;
      // A head of a multi-headed device also reaches the LD Pool CCI (Target Type 1, CXL r3.2
      // Figure 7-24); any other MLD refuses that target, and the walk moves on.
      const pool = [{ id: port }, { id: 0, targetType: 1 }];
      const poolCel = await readCelVia(this.reads, pool);
      if (poolCel) this.views.set(routeKey(pool), { kind: 'fm-owned-ld', label: `the LD Pool CCI behind port ${port}`, cel: poolCel, features: await readFeatures(this.reads, pool, poolCel) });
      if (!cel.has(0x5400)) continue;
      const info = await this.raw(route, 0x5400);
      if (info.rc !== RC.Success) continue;
      const lds = new ByteReader(info.payload).u16(8);
      // A complete walk reads each MLD's LDs where it finds the MLD (the directory's order).
      if (mode === 'complete') await this.discoverLds([[port, lds]]);
      else mlds.push([port, lds]);
    }
    if (mode === 'complete') return;
    // A small fabric is read at once: the background walk shares the switch mailbox with clients
    // driving its registers by hand, and only pays off when thousands of LDs are behind MLDs.
    if (mlds.reduce((n, [, lds]) => n + lds, 0) <= DEFERRED_WALK_MIN_LDS) {
      await this.discoverLds(mlds);
      return;
    }
    for (const [port, lds] of mlds) this.pendingLds.set(port, lds);
    this.discovered = this.discoverLds(mlds).finally(() => this.pendingLds.clear());
    // Nobody may be waiting yet; a walk cut short by a reset or a closed mailbox is not a crash.
    this.discovered.catch(() => undefined);
  }

  private async discoverLds(mlds: readonly (readonly [number, number])[]): Promise<void> {
    for (const [port, lds] of mlds) {
      for (let ld = 0; ld < lds; ld++) {
        const r2 = [{ id: port }, { id: ld }];
        const c2 = await readCelVia(this.reads, r2);
        if (c2) this.views.set(routeKey(r2), { kind: 'ld', label: `LD ${ld} at port ${port}`, cel: c2, features: await readFeatures(this.reads, r2, c2) });
        if (this.pendingLds.size) await this.opts.yieldDuringDiscovery?.();
      }
    }
  }
}

function completed(res: MailboxResult, decision: Decision): Completed {
  return { refused: false, rc: res.rc, rcName: res.rcName, vendorStatus: res.vendorStatus, payload: res.payload, background: res.background, decision, hint: res.hint };
}
