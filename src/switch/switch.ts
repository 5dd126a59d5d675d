// The switch model (CXL r3.2 7.1, 7.2.3, 7.6.7): physical ports, virtual CXL switches (VCSs) made
// of vPPBs, and the bindings between them. Pure state plus the rules that guard it; no registers
// and no payloads. Every mutating operation validates first and changes nothing when it refuses,
// returning the return code the FM-API command completes with.
//
// vPPB numbering follows 7.1.4: vPPB 0 of a VCS is its upstream vPPB (bound to the USP for the
// VCS's life, by vendor-specific configuration per 7.1.2), vPPBs 1..n are its downstream vPPBs.

import type { DownstreamDevice } from '../model/downstream.js';
import { clears, type ResetKind } from '../model/reset.js';
import { RC } from '../spec/return-codes.js';
import type { VirtualClock } from '../time/clock.js';
import { Emitter } from '../util/emitter.js';
import { PortConfigState } from './link.js';
import { PhysicalPort, type PortSpec } from './port.js';
import { SWITCH_RESET_RULES, type SwitchState } from './reset-rules.js';
import { isAerErrorBit, type AerEvent, type SwitchEvents } from './switch-events.js';
import { LD_ID_NONE, UnbindOption, Vcs, type HostVisibleTarget, type Transition, type VcsSpec, type VppbState } from './vcs.js';

// The switch's parts, importable from here as before the split.
export { BIND_DURATION_MS, LD_ID_NONE, UNBIND_DURATION_MS, UnbindOption, Vcs, type HostVisibleTarget, type Transition, type VcsSpec, type VppbState } from './vcs.js';
export type { AerEvent, PortChange, SwitchEvents } from './switch-events.js';

/** PERST# must stay asserted at least this long before it may be released (PCIe CEM Tperst). */
export const PERST_MIN_HOLD_MS = 100;
/** Reset PPB holds the link in Hot Reset this long (PCIe r6.x: Trst at least 1 ms). */
export const HOT_RESET_MS = 2;

export interface SwitchSpec {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly serialNumber: bigint;
  /** Device IDs the PPBs report in their config space. */
  readonly uspDeviceId: number;
  readonly dspDeviceId: number;
  /** HDM decoders available per USP (Identify Switch Device byte 48h). */
  readonly hdmDecoders: number;
  readonly ports: readonly PortSpec[];
  readonly vcss: readonly VcsSpec[];
}

export class Switch {
  readonly events = new Emitter<SwitchEvents>();
  readonly spec: SwitchSpec;
  readonly aerLog: AerEvent[] = [];
  private readonly portMap = new Map<number, PhysicalPort>();
  private readonly vcsMap = new Map<number, Vcs>();
  /** Bindings made by bindNow: the static configuration a power cycle comes back to. */
  private readonly bootBindings: { vcs: number; vppb: number; port: number; ld: number }[] = [];

  constructor(
    spec: SwitchSpec,
    private readonly clock: VirtualClock,
  ) {
    this.spec = spec;
    for (const p of spec.ports) {
      if (this.portMap.has(p.id)) throw new Error(`port ${p.id} defined twice`);
      const deviceId = p.role === 'usp' ? spec.uspDeviceId : spec.dspDeviceId;
      this.portMap.set(p.id, new PhysicalPort(p, { vendorId: spec.vendorId, deviceId }, clock));
    }
    for (const v of spec.vcss) {
      const usp = this.portMap.get(v.uspPort);
      if (!usp || usp.role !== 'usp') throw new Error(`VCS ${v.id}: port ${v.uspPort} is not a USP`);
      if (this.vcsMap.has(v.id)) throw new Error(`VCS ${v.id} defined twice`);
      this.vcsMap.set(v.id, new Vcs(v.id, v.uspPort, v.downstreamVppbs));
    }
  }

  // --- queries ---------------------------------------------------------------------------------

  port(id: number): PhysicalPort | undefined {
    return this.portMap.get(id);
  }

  /** Ports in ascending ID order. */
  ports(): PhysicalPort[] {
    return [...this.portMap.values()].sort((a, b) => a.id - b.id);
  }

  vcs(id: number): Vcs | undefined {
    return this.vcsMap.get(id);
  }

  vcsList(): Vcs[] {
    return [...this.vcsMap.values()].sort((a, b) => a.id - b.id);
  }

  /** The VCS whose upstream port is `portId`, if any. */
  vcsOfUsp(portId: number): Vcs | undefined {
    return this.vcsList().find((v) => v.uspPort === portId);
  }

  totalVppbs(): number {
    return this.vcsList().reduce((n, v) => n + v.vppbs.length, 0);
  }

  boundVppbs(): number {
    return this.vcsList().reduce((n, v) => n + v.vppbs.filter((s) => s.kind === 'bound').length, 0);
  }

  /** Current Port Configuration State (Table 7-19 byte 1). */
  portConfigState(p: PhysicalPort): number {
    if (!p.enabled) return PortConfigState.Disabled;
    const refs = this.references(p.id);
    if (refs.some((s) => s.kind === 'binding')) return PortConfigState.BindInProgress;
    if (refs.some((s) => s.kind === 'unbinding')) return PortConfigState.UnbindInProgress;
    return p.role === 'usp' ? PortConfigState.Usp : PortConfigState.Dsp;
  }

  /** Whether any DS vPPB holds (or is acquiring or releasing) this port, or this LD of it. */
  isBound(portId: number, ld?: number): boolean {
    return this.references(portId).some((s) => ld === undefined || s.ld === undefined || s.ld === ld);
  }

  /** What a host attached to VCS `vcsId` sees below its DS vPPBs: only completed bindings. */
  hostView(vcsId: number): HostVisibleTarget[] {
    const vcs = this.vcsMap.get(vcsId);
    if (!vcs) return [];
    const out: HostVisibleTarget[] = [];
    vcs.vppbs.forEach((s, vppb) => {
      if (vppb === 0 || s.kind !== 'bound') return;
      const device = this.portMap.get(s.port)?.device;
      out.push({ vppb, port: s.port, ld: s.ld, device, cci: device?.ldCci(s.ld ?? 0) });
    });
    return out;
  }

  private references(portId: number): Extract<VppbState, { port: number }>[] {
    const out: Extract<VppbState, { port: number }>[] = [];
    for (const v of this.vcsMap.values()) {
      v.vppbs.forEach((s, i) => {
        if (i > 0 && s.kind !== 'unbound' && s.port === portId) out.push(s);
      });
    }
    return out;
  }

  // --- binding (7.6.7.2.2, 7.6.7.2.3, 7.2.3) ---------------------------------------------------

  /** Whether Bind vPPB may start; RC.Success or the code to refuse with. `ldId` is the raw field. */
  checkBind(vcsId: number, vppb: number, portId: number, ldId: number): number {
    return this.bindProblem(vcsId, vppb, portId, ldId) === undefined ? RC.Success : RC.InvalidInput;
  }

  /** Why a bind would fail (every reason is Invalid Input), or undefined when it may go ahead. */
  bindProblem(vcsId: number, vppb: number, portId: number, ldId: number): string | undefined {
    const vcs = this.vcsMap.get(vcsId);
    if (!vcs) return `no VCS ${vcsId} (VCSs: ${[...this.vcsMap.keys()].join(', ')})`;
    if (vppb < 1 || vppb >= vcs.vppbs.length) return `VCS ${vcsId} has downstream vPPBs 1..${vcs.vppbs.length - 1} (vPPB 0 is its USP), not ${vppb}`;
    const state = vcs.vppbs[vppb];
    if (state?.kind !== 'unbound') return `vPPB ${vppb} of VCS ${vcsId} is already ${state?.kind === 'bound' ? 'bound' : `busy (${state?.kind ?? 'unknown'})`}${state && 'port' in state ? ` to port ${state.port}${state.ld !== undefined ? ` LD ${state.ld}` : ''}` : ''}`;
    const port = this.portMap.get(portId);
    if (!port) return `no port ${portId}`;
    if (port.role !== 'dsp') return `port ${portId} is a${port.role === 'usp' ? 'n USP' : ` ${port.role}`}, not a downstream port`;
    if (!port.enabled) return `port ${portId} is disabled`;
    // A port the FM holds in reset is under FM control; it is handed to a host only once released.
    if (port.inReset) return `port ${portId} is held in reset (PERST# asserted); deassert it first`;
    if (port.isMld) {
      // An MLD port is bound one LD at a time (7.2.3.2), each LD to at most one vPPB.
      const lds = port.device?.supportedLdCount ?? 0;
      if (ldId === LD_ID_NONE) return `port ${portId} is an MLD port: name one of its LDs 0..${lds - 1}`;
      if (ldId >= lds) return `port ${portId} has LDs 0..${lds - 1}, not ${ldId}`;
      // A head of a multi-headed device exposes only the LDs assigned to it.
      if (!port.device?.ldCci(ldId)) return `LD ${ldId} of port ${portId} is not assigned to this head`;
      if (this.isBound(portId, ldId)) return `LD ${ldId} of port ${portId} is already bound to a vPPB`;
    } else {
      // Anything else (SLD, PCIe, or a link-down port awaiting hot-add) binds whole (7.6.7.2.2).
      if (ldId !== LD_ID_NONE) return `port ${portId} is not an MLD port: bind it whole with LD ID FFFFh`;
      if (this.isBound(portId)) return `port ${portId} is already bound to a vPPB`;
    }
    return undefined;
  }

  /** Start a bind that checkBind accepted: the vPPB and port show "bind in progress" until it ends. */
  startBind(vcsId: number, vppb: number, portId: number, ldId: number): Transition {
    const vcs = this.mustVcs(vcsId);
    const ld = ldId === LD_ID_NONE ? undefined : ldId;
    this.setVppb(vcs, vppb, { kind: 'binding', port: portId, ld });
    this.events.emit('port-changed', { port: portId, change: 'binding' });
    return {
      complete: () => this.setVppb(vcs, vppb, { kind: 'bound', port: portId, ld }),
      abort: () => this.setVppb(vcs, vppb, { kind: 'unbound' }),
    };
  }

  checkUnbind(vcsId: number, vppb: number, option: number): number {
    return this.unbindProblem(vcsId, vppb, option) === undefined ? RC.Success : RC.InvalidInput;
  }

  /** Why an unbind would fail (every reason is Invalid Input), or undefined. */
  unbindProblem(vcsId: number, vppb: number, option: number): string | undefined {
    const vcs = this.vcsMap.get(vcsId);
    if (!vcs) return `no VCS ${vcsId} (VCSs: ${[...this.vcsMap.keys()].join(', ')})`;
    if (vppb < 1 || vppb >= vcs.vppbs.length) return `VCS ${vcsId} has downstream vPPBs 1..${vcs.vppbs.length - 1} (vPPB 0 is its USP), not ${vppb}`;
    if (option > UnbindOption.SurpriseHotRemove) return `unbind option ${option} is reserved (0 wait for link down, 1 managed hot-remove, 2 surprise hot-remove)`;
    const state = vcs.vppbs[vppb];
    return state?.kind === 'bound' ? undefined : `vPPB ${vppb} of VCS ${vcsId} is not bound (${state?.kind ?? 'unknown'})`;
  }

  startUnbind(vcsId: number, vppb: number): Transition {
    const vcs = this.mustVcs(vcsId);
    const before = vcs.vppbs[vppb];
    if (!before || before.kind !== 'bound') throw new Error(`vPPB ${vcsId}/${vppb} is not bound`);
    this.setVppb(vcs, vppb, { kind: 'unbinding', port: before.port, ld: before.ld });
    return {
      complete: () => this.setVppb(vcs, vppb, { kind: 'unbound' }),
      abort: () => this.setVppb(vcs, vppb, before),
    };
  }

  /** Bind at once, for the topology's initial bindings (vendor-specific static configuration). */
  bindNow(vcsId: number, vppb: number, portId: number, ldId: number): number {
    const rc = this.checkBind(vcsId, vppb, portId, ldId);
    if (rc !== RC.Success) return rc;
    this.startBind(vcsId, vppb, portId, ldId).complete();
    this.bootBindings.push({ vcs: vcsId, vppb, port: portId, ld: ldId });
    return RC.Success;
  }

  /**
   * Reset the switch model (src/model/reset.ts) following SWITCH_RESET_RULES. Background binds
   * and unbinds are the CCI's to abandon first (the system resets CCIs before models).
   */
  reset(kind: ResetKind): void {
    const c = (state: SwitchState): boolean => clears(SWITCH_RESET_RULES, state, kind);
    for (const port of this.portMap.values()) {
      if (c('portControl')) {
        port.perstAsserted = false;
        port.perstAssertedAt = 0;
        port.hotResetUntil = undefined;
      }
      if (c('ppbConfig')) port.config.reset();
    }
    for (const vcs of this.vcsMap.values()) {
      if (c('domainValidationSv')) vcs.domainValidationSv = undefined;
      if (c('bindings')) for (let i = 1; i < vcs.vppbs.length; i++) vcs.vppbs[i] = { kind: 'unbound' };
    }
    if (c('bindings')) {
      for (const b of this.bootBindings) {
        const vcs = this.vcsMap.get(b.vcs);
        if (vcs) vcs.vppbs[b.vppb] = { kind: 'bound', port: b.port, ld: b.ld === LD_ID_NONE ? undefined : b.ld };
      }
    }
    if (c('aerLog')) this.aerLog.length = 0;
  }

  private setVppb(vcs: Vcs, vppb: number, state: VppbState): void {
    vcs.vppbs[vppb] = state;
    this.events.emit('vppb-changed', { vcs: vcs.id, vppb, state });
  }

  private mustVcs(id: number): Vcs {
    const v = this.vcsMap.get(id);
    if (!v) throw new Error(`no VCS ${id}`);
    return v;
  }

  // --- physical port control (7.6.7.1.3) ---------------------------------------------------------

  /**
   * The ports the FM may drive: enabled DSPs that no host owns (unbound) or that are MLD ports,
   * whose LDs are shared (7.6.7.1.3), and that are not in the middle of a bind or unbind.
   */
  checkFmControl(portId: number): number {
    return this.fmControlProblem(portId) === undefined ? RC.Success : RC.InvalidInput;
  }

  /** Why the FM may not drive a port (every reason is Invalid Input), or undefined. */
  fmControlProblem(portId: number): string | undefined {
    const port = this.portMap.get(portId);
    if (!port) return `no port ${portId}`;
    if (port.role !== 'dsp') return `port ${portId} is not a downstream port`;
    if (!port.enabled) return `port ${portId} is disabled`;
    if (!port.isMld && this.isBound(portId)) return `port ${portId} is bound to a host's vPPB; unbind it first`;
    const state = this.portConfigState(port);
    if (state === PortConfigState.BindInProgress || state === PortConfigState.UnbindInProgress) return `port ${portId} is in the middle of a bind or unbind`;
    return undefined;
  }

  /** Why a Physical Port Control operation would fail, or undefined (the rc comes from the call). */
  portControlProblem(portId: number, op: 'assert' | 'deassert' | 'reset'): string | undefined {
    const why = this.fmControlProblem(portId);
    if (why !== undefined) return why;
    const port = this.portMap.get(portId);
    if (op === 'assert' && port?.perstAsserted) return `PERST# of port ${portId} is already asserted`;
    if (op === 'deassert' && !port?.perstAsserted) return `PERST# of port ${portId} is not asserted`;
    if (op === 'deassert' && port && this.clock.now() - port.perstAssertedAt < PERST_MIN_HOLD_MS) return `PERST# must stay asserted ${PERST_MIN_HOLD_MS} ms; retry later`;
    return undefined;
  }

  assertPerst(portId: number): number {
    const rc = this.checkFmControl(portId);
    if (rc !== RC.Success) return rc;
    const port = this.portMap.get(portId);
    if (!port || port.perstAsserted) return RC.InvalidInput;
    port.perstAsserted = true;
    port.perstAssertedAt = this.clock.now();
    port.device?.reset();
    this.events.emit('port-changed', { port: portId, change: 'perst-asserted' });
    return RC.Success;
  }

  deassertPerst(portId: number): number {
    const rc = this.checkFmControl(portId);
    if (rc !== RC.Success) return rc;
    const port = this.portMap.get(portId);
    if (!port || !port.perstAsserted) return RC.InvalidInput;
    // The hold time is a temporary condition, not a bad request: the same command succeeds later.
    if (this.clock.now() - port.perstAssertedAt < PERST_MIN_HOLD_MS) return RC.RetryRequired;
    port.perstAsserted = false;
    this.events.emit('port-changed', { port: portId, change: 'perst-deasserted' });
    return RC.Success;
  }

  resetPpb(portId: number): number {
    const rc = this.checkFmControl(portId);
    if (rc !== RC.Success) return rc;
    const port = this.portMap.get(portId);
    // While PERST# is held the device is already in reset; a hot reset cannot train through it.
    if (!port || port.perstAsserted) return RC.InvalidInput;
    if (port.inHotReset) return RC.RetryRequired;
    port.config.reset();
    port.device?.reset();
    const until = this.clock.now() + HOT_RESET_MS;
    port.hotResetUntil = until;
    this.events.emit('port-changed', { port: portId, change: 'hot-reset' });
    this.clock.schedule(HOT_RESET_MS, () => {
      if (port.hotResetUntil !== until) return;
      port.hotResetUntil = undefined;
      this.events.emit('port-changed', { port: portId, change: 'hot-reset-done' });
    });
    return RC.Success;
  }

  // --- hot plug (the bench's hands, not an FM-API command) --------------------------------------

  attachDevice(portId: number, device: DownstreamDevice): void {
    const port = this.portMap.get(portId);
    if (!port || port.role !== 'dsp') throw new Error(`port ${portId} is not a DSP`);
    if (port.device) throw new Error(`port ${portId} already has a device`);
    port.device = device;
    this.events.emit('port-changed', { port: portId, change: 'device-attached' });
  }

  detachDevice(portId: number): DownstreamDevice | undefined {
    const port = this.portMap.get(portId);
    const device = port?.device;
    if (!port || !device) return undefined;
    port.device = undefined;
    this.events.emit('port-changed', { port: portId, change: 'device-detached' });
    return device;
  }

  /** A link fault (the bench's hands): the port's link drops, or comes back. */
  setLinkFault(portId: number, down: boolean): boolean {
    const port = this.portMap.get(portId);
    if (!port || port.linkFault === down) return false;
    port.linkFault = down;
    this.events.emit('port-changed', { port: portId, change: down ? 'link-down' : 'link-up' });
    return true;
  }

  // --- AER (7.6.7.2.4) and domain validation (7.6.7.1.5-8) -------------------------------------

  generateAer(vcsId: number, vppb: number, uncorrectable: boolean, errorBit: number, header: Uint8Array): number {
    const vcs = this.vcsMap.get(vcsId);
    if (!vcs || vppb < 0 || vppb >= vcs.vppbs.length) return RC.InvalidInput;
    if (!isAerErrorBit(uncorrectable, errorBit)) return RC.InvalidInput;
    const event: AerEvent = { vcs: vcsId, vppb, uncorrectable, errorBit, header: header.slice(), atMs: this.clock.now() };
    this.aerLog.push(event);
    this.events.emit('aer', event);
    return RC.Success;
  }

  setDomainValidationSv(vcsId: number, sv: Uint8Array): number {
    const vcs = this.vcsMap.get(vcsId);
    // "The secret value can be set only once" (7.6.7.1.6).
    if (!vcs || vcs.domainValidationSv) return RC.InvalidInput;
    vcs.domainValidationSv = sv.slice();
    this.events.emit('domain-validation-set', { vcs: vcsId });
    return RC.Success;
  }
}
