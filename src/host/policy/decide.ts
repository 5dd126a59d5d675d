// The filter: decide, before anything touches a register, whether a command may be submitted at
// a scope. Default deny: a command is allowed only if the target CCI's CEL lists it and its class
// fits the scope. Carriers (Tunnel Management, MMPT Send Message, CXL.io requests) are classified
// by what they carry, recursively, and refused whole if what they carry is refused. MMPT Send is a
// PCI-SIG MMB command, not a CXL opcode (src/commands/mmpt/mmpt-message.ts): it is judged by
// decideMmpt, and 0100h/0101h on every CCI keep their CXL meaning (Get/Clear Event Records).

import { decodeCciMessage } from '../../cci/message.js';
import { decodeTunnelRequest, TUNNEL_OPCODE, type TunnelHop } from '../../commands/tunnel/tunnel-payload.js';
import { ByteReader, bytesEqual, toHex, uuidBytes } from '../../util/bytes.js';
import { classifyEffects, classifySetFeature } from './classify.js';
import { isVendorOpcode, pinnedFor } from './pinned.js';
import { scopeAllows, SCOPE_FOR_CLASS, type CommandClass, type Scope } from './scopes.js';

/** What kind of CCI a route ends at (which command sets it carries). */
export type CciKind = 'switch' | 'fm-owned-ld' | 'ld';

export interface FeatureEffects {
  readonly changeable: boolean;
  readonly effects: number;
}

/** What the driver learned about one CCI at attach. */
export interface CciView {
  readonly kind: CciKind;
  readonly label: string;
  readonly cel: ReadonlyMap<number, number>;
  /** Supported Features (UUID hex → set effects), for Set Feature's per-Feature rule. */
  readonly features?: ReadonlyMap<string, FeatureEffects>;
}

/** Looks up the CCI at the end of a route ([] = the switch CCI itself). */
export type CciDirectory = (route: readonly TunnelHop[]) => CciView | undefined;

export interface Decision {
  readonly allowed: boolean;
  readonly opcode: number;
  /** The innermost opcode when the command is a carrier. */
  readonly innerOpcode?: number;
  /** Route to the CCI the innermost command runs on. */
  readonly route: readonly TunnelHop[];
  readonly class?: CommandClass;
  readonly requiredScope?: Scope;
  readonly scope: Scope;
  readonly reason: string;
  /**
   * Refused because a tunnel's route leads to no CCI the driver found (an empty or non-CXL port,
   * an LD that does not exist): the device would answer it Invalid Input itself, so a transport
   * answers it that way rather than as a policy refusal.
   */
  readonly unroutable?: boolean;
}

/** The spec's deepest tunnel: switch -> DSP -> FM-owned LD of an MLD -> LD (CXL r3.2 7.6.7.3.1). */
export const MAX_TUNNEL_DEPTH = 2;
const MMPT_SEND = 0x0100; // under the PCI-SIG vendor ID, never a CXL opcode here
const VENDOR_DEBUG_LOG = uuidBytes('5e1819d9-11a9-400c-811f-d60719403d86');

export function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

interface Verdict {
  readonly ok: boolean;
  readonly opcode: number;
  readonly route: readonly TunnelHop[];
  readonly class?: CommandClass;
  readonly reason: string;
  readonly unroutable?: boolean;
}

export function decide(opcode: number, payload: Uint8Array, scope: Scope, directory: CciDirectory, route: readonly TunnelHop[] = []): Decision {
  return verdictToDecision(opcode, scope, classifyAt(opcode, payload, directory, route, 0));
}

/**
 * MMPT Send Message (PCI-SIG MMB command 0100h on the switch mailbox): allowed when the message it
 * carries would be, at the same scope, as a command on the switch CCI.
 */
export function decideMmpt(message: Uint8Array, scope: Scope, directory: CciDirectory): Decision {
  const v = classifyMmpt(message, directory, [], 0);
  const d = verdictToDecision(MMPT_SEND, scope, v);
  // The carried opcode is always "inner", even when it is the CXL 0100h (Get Event Records).
  return { ...d, ...(v.opcode !== MMPT_SEND || v.ok ? { innerOpcode: v.opcode } : {}), reason: `MMPT Send Message: ${d.reason}` };
}

function verdictToDecision(opcode: number, scope: Scope, v: Verdict): Decision {
  const base = { opcode, scope, route: v.route, ...(v.opcode !== opcode ? { innerOpcode: v.opcode } : {}) };
  if (!v.ok || !v.class) return { ...base, allowed: false, reason: v.reason, ...(v.unroutable ? { unroutable: true } : {}) };
  const requiredScope = SCOPE_FOR_CLASS[v.class];
  if (!scopeAllows(scope, v.class)) {
    return {
      ...base,
      allowed: false,
      class: v.class,
      requiredScope,
      reason: `${describe(v.opcode, v.route)} is ${v.class} (${v.reason}); needs scope ${requiredScope}, caller has ${scope}`,
    };
  }
  return { ...base, allowed: true, class: v.class, requiredScope, reason: `${describe(v.opcode, v.route)} is ${v.class} (${v.reason})` };
}

function describe(opcode: number, route: readonly TunnelHop[]): string {
  return route.length ? `opcode ${hex4(opcode)} via tunnel ${route.map((h) => h.id).join(':')}` : `opcode ${hex4(opcode)}`;
}

function refuse(opcode: number, route: readonly TunnelHop[], reason: string): Verdict {
  return { ok: false, opcode, route, reason };
}

function classifyAt(opcode: number, payload: Uint8Array, directory: CciDirectory, route: readonly TunnelHop[], depth: number): Verdict {
  const cci = directory(route);
  if (!cci) return { ...refuse(opcode, route, `no CCI known at tunnel route ${route.map((h) => h.id).join(':') || '(switch)'}`), unroutable: route.length > 0 };
  if (opcode === TUNNEL_OPCODE && depth >= MAX_TUNNEL_DEPTH) {
    return refuse(TUNNEL_OPCODE, route, `tunnel nests deeper than the ${MAX_TUNNEL_DEPTH} levels the spec allows`);
  }
  if (isVendorOpcode(opcode)) return refuse(opcode, route, `${describe(opcode, route)} is vendor-defined; vendor commands are never passed through`);
  const effects = cci.cel.get(opcode);
  if (effects === undefined) return refuse(opcode, route, `${describe(opcode, route)} is not in the CEL of ${cci.label}`);

  if (opcode === TUNNEL_OPCODE) return classifyTunnel(payload, directory, route, depth);

  const pinned = pinnedFor(opcode);
  const base = pinned ? { class: pinned.class, why: pinned.reason } : classifyEffects(effects);
  const checked = payloadRule(opcode, payload, cci);
  if ('refuse' in checked) return refuse(opcode, route, `${describe(opcode, route)}: ${checked.refuse}`);
  return { ok: true, opcode, route, class: checked.class ?? base.class, reason: checked.why ?? base.why };
}

function classifyTunnel(payload: Uint8Array, directory: CciDirectory, route: readonly TunnelHop[], depth: number): Verdict {
  const t = decodeTunnelRequest(payload);
  if (!t.ok) {
    return refuse(TUNNEL_OPCODE, route, `malformed tunnel: ${t.rc === 0x16 ? 'command size and lengths disagree' : 'embedded message is not a request'}`);
  }
  const hop: TunnelHop = { id: t.value.id, targetType: t.value.targetType };
  return classifyAt(t.value.message.opcode, t.value.message.payload, directory, [...route, hop], depth + 1);
}

function classifyMmpt(payload: Uint8Array, directory: CciDirectory, route: readonly TunnelHop[], depth: number): Verdict {
  const type = payload[0];
  if (payload.length < 13 || (type !== 0x07 && type !== 0x08)) return refuse(MMPT_SEND, route, 'malformed MMPT message: bad length or message type');
  const m = decodeCciMessage(payload.slice(1));
  if (!m.ok) return refuse(MMPT_SEND, route, 'malformed MMPT message: header length disagrees with the message');
  if (m.value.category !== 0) return refuse(MMPT_SEND, route, 'malformed MMPT message: not a request');
  // The message runs on the CXL CCI behind the mailbox; its opcodes are CXL opcodes.
  return classifyAt(m.value.opcode, m.value.payload, directory, route, depth);
}

/**
 * Whether a decision on `opcode` reads the payload (carriers and the payload rules below). Every other decision depends only on the CCI's CEL, the opcode and the scope, so a
 * caller may cache it until it reads the CELs again.
 */
export function payloadMatters(opcode: number): boolean {
  return opcode === TUNNEL_OPCODE || PAYLOAD_RULES.has(opcode);
}

const PAYLOAD_RULES: ReadonlySet<number> = new Set([0x4101, 0x0403, 0x0502, 0x5103, 0x5301, 0x5302]);

type PayloadCheck = { class?: CommandClass; why?: string } | { refuse: string };

/**
 * Payload rules the kernel applies even to allowed commands (drivers/cxl/core/mbox.c
 * cxl_payload_from_user_allowed, features.c), plus the CXL.io carriers, whose transaction type
 * decides whether they read or write another host's device.
 */
/**
 * Linux's cxl_payload_from_user_allowed, for the filter and for `cxlemu attach`'s kernel model
 * (src/host/linux/cxl-mem-uapi.ts) alike: the reason a payload is refused, or undefined.
 */
export function kernelPayloadRefusal(opcode: number, payload: Uint8Array): string | undefined {
  const r = new ByteReader(payload);
  // Set Partition Info (u64 volatile capacity, u8 flags): flags bit 0 = Immediate; the memory map
  // would change under live decoders.
  if (opcode === 0x4101 && r.u8(8) & 1) return 'Set Partition Info with the Immediate flag is never allowed';
  // Clear Log: only the vendor debug log may be cleared.
  if (opcode === 0x0403 && !bytesEqual(r.slice(0, 16), VENDOR_DEBUG_LOG)) return 'Clear Log is allowed only for the Vendor Debug log';
  return undefined;
}

function payloadRule(opcode: number, payload: Uint8Array, cci: CciView): PayloadCheck {
  const r = new ByteReader(payload);
  switch (opcode) {
    case 0x4101:
    case 0x0403: {
      const refuse = kernelPayloadRefusal(opcode, payload);
      return refuse === undefined ? {} : { refuse };
    }
    case 0x0502: {
      // Set Feature: the Feature's own Set Feature Effects decide, as in fwctl.
      const uuid = toHex(r.slice(0, 16));
      const f = cci.features?.get(uuid);
      if (!f) return { refuse: `Set Feature for a Feature the device does not list (${uuid})` };
      const c = classifySetFeature(f.effects, f.changeable);
      return 'refuse' in c ? c : { class: c.class, why: c.why };
    }
    case 0x5103: // Send PPB CXL.io Configuration Request: byte 3 bit 7 = transaction type (1 write)
    case 0x5301: // Send LD CXL.io Configuration Request: same layout
      return (r.u8(3) & 0x80) !== 0
        ? { class: 'destructive', why: 'CXL.io configuration write to a function another host may own' }
        : { class: 'read-only', why: 'CXL.io configuration read' };
    case 0x5302: // Send LD CXL.io Memory Request: byte 3 bit 7 = transaction type (1 write)
      return (r.u8(3) & 0x80) !== 0
        ? { class: 'destructive', why: 'CXL.io memory write to a device another host may own' }
        : { class: 'read-only', why: 'CXL.io memory read' };
    default:
      return {};
  }
}
