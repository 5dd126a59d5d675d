// Hand-written validation of a topology object (parsed JSON or YAML). Every problem is reported,
// not just the first, each naming the field by path: `ports[3].maxWidth: expected one of 1, 2, 4,
// 8, 16`. Unknown fields are errors too, so a typo never silently falls back to a default.

import { DEFAULT_PAYLOAD_SIZE_LOG2, MAX_PAYLOAD_SIZE_LOG2, MIN_PAYLOAD_SIZE_LOG2 } from '../cci/message-size.js';
import { LINK_WIDTHS, SPEEDS_GTS } from '../switch/link.js';
import type {
  DeviceQuirks, CxlModeName, DcRegionConfig, Topology, TopologyBinding, TopologyDevice, TopologyPort, TopologySwitch, TopologyVcs } from './schema.js';
import { checkHeadBinding, checkMhd, crossCheckMhds } from './validate-mhd.js';

import { faultFromJson } from '../faults/json.js';

export type ValidationResult = { ok: true; topology: Topology } | { ok: false; errors: string[] };

const MIB = 1n << 20n;
const CAPACITY_UNIT = 256n * MIB;
const MAX_LDS = 16;
const MAX_DC_REGIONS = 8;
const CXL_MODES: readonly CxlModeName[] = ['rcd', '68b-flit', '256b-flit', 'lo-256b-flit'];
const UNITS: Record<string, bigint> = { '': 1n, b: 1n, kib: 1n << 10n, mib: MIB, gib: 1n << 30n, tib: 1n << 40n };

export class Checker {
  readonly errors: string[] = [];

  fail(path: string, msg: string): undefined {
    this.errors.push(`${path}: ${msg}`);
    return undefined;
  }

  object(v: unknown, path: string, fields: readonly string[]): Record<string, unknown> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(path, 'expected an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!fields.includes(k)) this.fail(`${path}.${k}`, 'unknown field');
    return o;
  }

  array(v: unknown, path: string, optional = false): unknown[] | undefined {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) return this.fail(path, 'expected a list');
    return v;
  }

  int(v: unknown, path: string, min: number, max: number, def?: number): number | undefined {
    if (v === undefined && def !== undefined) return def;
    const n = typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      return this.fail(path, `expected an integer from ${min} to ${max}`);
    }
    return n;
  }

  oneOf<T extends string | number>(v: unknown, path: string, allowed: readonly T[], def?: T): T | undefined {
    if (v === undefined && def !== undefined) return def;
    if (!allowed.includes(v as T)) return this.fail(path, `expected one of ${allowed.join(', ')}`);
    return v as T;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') return this.fail(path, 'expected true or false');
    return v;
  }

  /** A 64-bit unsigned value: integer, or "0x..." / decimal string. */
  u64(v: unknown, path: string, def?: bigint): bigint | undefined {
    if (v === undefined && def !== undefined) return def;
    try {
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      if (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) {
        const b = BigInt(v);
        if (b < 1n << 64n) return b;
      }
    } catch {
      // fall through to the error below
    }
    return this.fail(path, 'expected an unsigned 64-bit integer (number or "0x..." string)');
  }

  /** Bytes: an integer, or a string with a unit (B, KiB, MiB, GiB, TiB). */
  size(v: unknown, path: string, def?: bigint): bigint | undefined {
    if (v === undefined && def !== undefined) return def;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === 'string') {
      const m = /^\s*([0-9]+)\s*([a-z]*)\s*$/i.exec(v);
      const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
      if (m && unit !== undefined) return BigInt(m[1] ?? '0') * unit;
    }
    return this.fail(path, 'expected a size in bytes, e.g. 268435456 or "256MiB"');
  }
}

function checkSwitch(c: Checker, v: unknown): TopologySwitch | undefined {
  const p = 'switch';
  const o = c.object(v, p, ['serialNumber', 'vendorId', 'deviceId', 'subsystemVendorId', 'subsystemId', 'uspDeviceId', 'dspDeviceId', 'ingressPort', 'hdmDecoders', 'payloadSizeLog2']);
  if (!o) return undefined;
  const s = {
    serialNumber: c.u64(o.serialNumber, `${p}.serialNumber`),
    vendorId: c.int(o.vendorId, `${p}.vendorId`, 0, 0xffff),
    deviceId: c.int(o.deviceId, `${p}.deviceId`, 0, 0xffff),
    subsystemVendorId: c.int(o.subsystemVendorId, `${p}.subsystemVendorId`, 0, 0xffff, 0),
    subsystemId: c.int(o.subsystemId, `${p}.subsystemId`, 0, 0xffff, 0),
    uspDeviceId: c.int(o.uspDeviceId, `${p}.uspDeviceId`, 0, 0xffff, 0xa128),
    dspDeviceId: c.int(o.dspDeviceId, `${p}.dspDeviceId`, 0, 0xffff, 0xa129),
    ingressPort: c.int(o.ingressPort, `${p}.ingressPort`, 0, 255),
    hdmDecoders: c.int(o.hdmDecoders, `${p}.hdmDecoders`, 0, 255, 4),
    payloadSizeLog2: c.int(o.payloadSizeLog2, `${p}.payloadSizeLog2`, MIN_PAYLOAD_SIZE_LOG2, MAX_PAYLOAD_SIZE_LOG2, DEFAULT_PAYLOAD_SIZE_LOG2),
  };
  return allDefined(s) ? s : undefined;
}

function checkDevice(c: Checker, v: unknown, p: string): TopologyDevice | undefined {
  const kind = c.oneOf((v as { kind?: unknown } | null)?.kind, `${p}.kind`, ['type3', 'pcie'] as const);
  if (kind === 'pcie') {
    const o = c.object(v, p, ['kind', 'vendorId', 'deviceId', 'serialNumber']);
    if (!o) return undefined;
    const d = {
      kind,
      vendorId: c.int(o.vendorId, `${p}.vendorId`, 0, 0xffff),
      deviceId: c.int(o.deviceId, `${p}.deviceId`, 0, 0xffff),
      serialNumber: c.u64(o.serialNumber, `${p}.serialNumber`, 0n),
    };
    return allDefined(d) ? d : undefined;
  }
  if (kind !== 'type3') return undefined;
  const o = c.object(v, p, ['kind', 'mode', 'ldCount', 'capacity', 'persistent', 'lsaSize', 'dcRegions', 'serialNumber', 'quirks', 'payloadSizeLog2', 'fmPayloadSizeLog2']);
  if (!o) return undefined;
  const mode = c.oneOf(o.mode, `${p}.mode`, ['sld', 'mld'] as const);
  const ldCount = mode === 'sld' ? c.int(o.ldCount, `${p}.ldCount`, 1, 1, 1) : c.int(o.ldCount, `${p}.ldCount`, 1, MAX_LDS);
  const capacity = c.size(o.capacity, `${p}.capacity`);
  if (capacity !== undefined && capacity % CAPACITY_UNIT !== 0n) c.fail(`${p}.capacity`, 'must be a multiple of 256 MiB');
  if (capacity !== undefined && capacity === 0n) c.fail(`${p}.capacity`, 'must be at least 256 MiB');
  if (capacity !== undefined && ldCount !== undefined && capacity < BigInt(ldCount) * CAPACITY_UNIT) {
    c.fail(`${p}.capacity`, `must give each of the ${ldCount} LDs at least 256 MiB`);
  }
  const persistent = c.size(o.persistent, `${p}.persistent`, 0n);
  if (persistent !== undefined && persistent % CAPACITY_UNIT !== 0n) c.fail(`${p}.persistent`, 'must be a multiple of 256 MiB');
  if (persistent !== undefined && capacity !== undefined && persistent > capacity) c.fail(`${p}.persistent`, 'exceeds capacity');
  const lsaSize = c.int(o.lsaSize, `${p}.lsaSize`, 0, 0x7fffffff, 0);
  const regions: DcRegionConfig[] = [];
  const list = c.array(o.dcRegions, `${p}.dcRegions`, true);
  if (list && list.length > MAX_DC_REGIONS) c.fail(`${p}.dcRegions`, `at most ${MAX_DC_REGIONS} regions`);
  list?.forEach((r, i) => {
    const rp = `${p}.dcRegions[${i}]`;
    const ro = c.object(r, rp, ['length', 'blockSize']);
    if (!ro) return;
    const length = c.size(ro.length, `${rp}.length`);
    const blockSize = c.size(ro.blockSize, `${rp}.blockSize`, 2n * MIB);
    if (length !== undefined && (length === 0n || length % CAPACITY_UNIT !== 0n)) c.fail(`${rp}.length`, 'must be a non-zero multiple of 256 MiB');
    // CXL r3.2 8.2.10.9.9.1: block sizes are powers of two, 64 bytes at least.
    if (blockSize !== undefined && (blockSize < 64n || (blockSize & (blockSize - 1n)) !== 0n)) c.fail(`${rp}.blockSize`, 'must be a power of two, at least 64');
    else if (blockSize !== undefined && length !== undefined && length % blockSize !== 0n) c.fail(`${rp}.blockSize`, 'must divide the region length');
    if (length !== undefined && blockSize !== undefined) regions.push({ length, blockSize });
  });
  const serialNumber = c.u64(o.serialNumber, `${p}.serialNumber`);
  const quirks = checkQuirks(c, o.quirks, `${p}.quirks`);
  const payloadSizeLog2 = c.int(o.payloadSizeLog2, `${p}.payloadSizeLog2`, MIN_PAYLOAD_SIZE_LOG2, MAX_PAYLOAD_SIZE_LOG2, DEFAULT_PAYLOAD_SIZE_LOG2);
  if (o.fmPayloadSizeLog2 !== undefined && mode === 'sld') c.fail(`${p}.fmPayloadSizeLog2`, 'only an MLD has an FM-owned LD');
  const fmPayloadSizeLog2 = c.int(o.fmPayloadSizeLog2, `${p}.fmPayloadSizeLog2`, MIN_PAYLOAD_SIZE_LOG2, MAX_PAYLOAD_SIZE_LOG2, payloadSizeLog2 ?? DEFAULT_PAYLOAD_SIZE_LOG2);
  const d = { kind, mode, ldCount, capacity, persistent, lsaSize, serialNumber, payloadSizeLog2, fmPayloadSizeLog2 };
  return allDefined(d) ? { ...d, dcRegions: regions, ...(quirks ? { quirks } : {}) } : undefined;
}

/**
 * Fault models a test bench asks for on purpose. `celEffects` makes each LD's Command Effects Log
 * report other effects than the commands really have (a device whose CEL lies, say Sanitize with
 * none), to test that a host filter does not trust it. Dispatch is unaffected.
 */
function checkQuirks(c: Checker, v: unknown, p: string): DeviceQuirks | undefined {
  if (v === undefined) return undefined;
  const o = c.object(v, p, ['celEffects']);
  if (!o) return undefined;
  const celEffects = new Map<number, number>();
  if (o.celEffects !== undefined) {
    const m = c.object(o.celEffects, `${p}.celEffects`, Object.keys((o.celEffects as object | null) ?? {}));
    for (const [k, e] of Object.entries(m ?? {})) {
      const opcode = /^(0x)?[0-9a-f]{1,4}$/i.test(k) ? parseInt(k.replace(/^0x/i, ''), 16) : NaN;
      if (Number.isNaN(opcode)) c.fail(`${p}.celEffects.${k}`, 'key must be an opcode in hex, e.g. "0x4400"');
      const effects = c.int(e, `${p}.celEffects.${k}`, 0, 0xffff);
      if (!Number.isNaN(opcode) && effects !== undefined) celEffects.set(opcode, effects);
    }
  }
  return { celEffects };
}

function checkPort(c: Checker, v: unknown, p: string): TopologyPort | undefined {
  const o = c.object(v, p, ['id', 'role', 'maxWidth', 'maxSpeed', 'supportedSpeeds', 'cxlModes', 'supportedLdCount', 'laneReversed', 'disabled', 'device']);
  if (!o) return undefined;
  const role = c.oneOf(o.role, `${p}.role`, ['usp', 'dsp'] as const);
  const maxSpeed = c.oneOf(o.maxSpeed, `${p}.maxSpeed`, SPEEDS_GTS);
  let supportedSpeeds: number[] | undefined;
  if (o.supportedSpeeds === undefined) {
    supportedSpeeds = maxSpeed === undefined ? undefined : SPEEDS_GTS.filter((s) => s <= maxSpeed);
  } else {
    const list = c.array(o.supportedSpeeds, `${p}.supportedSpeeds`);
    supportedSpeeds = list?.map((s, i) => c.oneOf(s, `${p}.supportedSpeeds[${i}]`, SPEEDS_GTS) ?? 0);
    if (supportedSpeeds && maxSpeed !== undefined) {
      if (!supportedSpeeds.includes(maxSpeed)) c.fail(`${p}.supportedSpeeds`, `must include maxSpeed ${maxSpeed}`);
      if (supportedSpeeds.some((s) => s > maxSpeed)) c.fail(`${p}.supportedSpeeds`, `must not exceed maxSpeed ${maxSpeed}`);
    }
  }
  const modesList = c.array(o.cxlModes ?? ['68b-flit', '256b-flit'], `${p}.cxlModes`);
  const cxlModes = modesList?.map((m, i) => c.oneOf(m, `${p}.cxlModes[${i}]`, CXL_MODES) ?? 'rcd');
  let device: TopologyDevice | undefined;
  if (o.device !== undefined && o.device !== null) {
    if (role === 'usp') c.fail(`${p}.device`, 'only a DSP can have a device');
    else device = checkDevice(c, o.device, `${p}.device`);
  }
  const port = {
    id: c.int(o.id, `${p}.id`, 0, 255),
    role,
    maxWidth: c.oneOf(o.maxWidth, `${p}.maxWidth`, LINK_WIDTHS),
    maxSpeed,
    supportedSpeeds,
    cxlModes,
    supportedLdCount: c.int(o.supportedLdCount, `${p}.supportedLdCount`, 0, MAX_LDS, role === 'dsp' ? MAX_LDS : 0),
    laneReversed: c.bool(o.laneReversed, `${p}.laneReversed`),
    disabled: c.bool(o.disabled, `${p}.disabled`),
  };
  return allDefined(port) ? { ...port, device } : undefined;
}

function checkVcs(c: Checker, v: unknown, p: string): TopologyVcs | undefined {
  const o = c.object(v, p, ['id', 'usp', 'downstreamVppbs']);
  if (!o) return undefined;
  const vcs = {
    id: c.int(o.id, `${p}.id`, 0, 255),
    usp: c.int(o.usp, `${p}.usp`, 0, 255),
    // vPPB IDs are one byte and vPPB 0 is the USP's.
    downstreamVppbs: c.int(o.downstreamVppbs, `${p}.downstreamVppbs`, 1, 254),
  };
  return allDefined(vcs) ? vcs : undefined;
}

function checkBinding(c: Checker, v: unknown, p: string): TopologyBinding | undefined {
  const o = c.object(v, p, ['vcs', 'vppb', 'port', 'ld']);
  if (!o) return undefined;
  const b = { vcs: c.int(o.vcs, `${p}.vcs`, 0, 255), vppb: c.int(o.vppb, `${p}.vppb`, 1, 255), port: c.int(o.port, `${p}.port`, 0, 255) };
  const ld = o.ld === undefined ? undefined : c.int(o.ld, `${p}.ld`, 0, MAX_LDS - 1);
  return allDefined(b) && (o.ld === undefined || ld !== undefined) ? { ...b, ld } : undefined;
}

/** Rules that span fields: references between ports, VCSs and bindings. */
function crossCheck(c: Checker, t: Topology): void {
  const ports = new Map<number, TopologyPort>();
  t.ports.forEach((port, i) => {
    if (ports.has(port.id)) c.fail(`ports[${i}].id`, `duplicate port id ${port.id}`);
    else ports.set(port.id, port);
  });
  if (!t.ports.some((p) => p.role === 'usp')) c.fail('ports', 'need at least one USP');
  const heads = crossCheckMhds(c, t.mhds, ports);
  if (!ports.has(t.switch.ingressPort)) c.fail('switch.ingressPort', `no port ${t.switch.ingressPort}`);
  const vcss = new Map<number, TopologyVcs>();
  const usps = new Set<number>();
  t.vcs.forEach((v, i) => {
    if (vcss.has(v.id)) c.fail(`vcs[${i}].id`, `duplicate VCS id ${v.id}`);
    vcss.set(v.id, v);
    if (ports.get(v.usp)?.role !== 'usp') c.fail(`vcs[${i}].usp`, `port ${v.usp} is not a USP`);
    else if (usps.has(v.usp)) c.fail(`vcs[${i}].usp`, `USP ${v.usp} already belongs to another VCS`);
    usps.add(v.usp);
  });
  const taken = new Set<string>();
  t.bindings.forEach((b, i) => {
    const p = `bindings[${i}]`;
    const vcs = vcss.get(b.vcs);
    if (!vcs) return void c.fail(`${p}.vcs`, `no VCS ${b.vcs}`);
    if (b.vppb > vcs.downstreamVppbs) c.fail(`${p}.vppb`, `VCS ${b.vcs} has DS vPPBs 1..${vcs.downstreamVppbs}`);
    if (taken.has(`v${b.vcs}/${b.vppb}`)) c.fail(`${p}.vppb`, `vPPB ${b.vppb} of VCS ${b.vcs} bound twice`);
    taken.add(`v${b.vcs}/${b.vppb}`);
    const port = ports.get(b.port);
    if (!port || port.role !== 'dsp') return void c.fail(`${p}.port`, `port ${b.port} is not a DSP`);
    if (port.disabled) c.fail(`${p}.port`, `port ${b.port} is disabled`);
    const mhd = heads.get(b.port);
    if (mhd) return void checkHeadBinding(c, b, p, mhd, taken);
    const dev = port.device;
    const mld = dev?.kind === 'type3' && dev.mode === 'mld';
    if (mld) {
      if (b.ld === undefined) c.fail(`${p}.ld`, `port ${b.port} holds an MLD: name the LD`);
      else if (b.ld >= dev.ldCount) c.fail(`${p}.ld`, `the MLD on port ${b.port} has LDs 0..${dev.ldCount - 1}`);
      else if (taken.has(`p${b.port}/${b.ld}`)) c.fail(`${p}.ld`, `LD ${b.ld} of port ${b.port} bound twice`);
      taken.add(`p${b.port}/${b.ld}`);
    } else {
      if (b.ld !== undefined) c.fail(`${p}.ld`, `port ${b.port} is not an MLD port`);
      if (taken.has(`p${b.port}`)) c.fail(`${p}.port`, `port ${b.port} bound twice`);
      taken.add(`p${b.port}`);
    }
  });
}

export function validateTopology(input: unknown): ValidationResult {
  const c = new Checker();
  const o = c.object(input, 'topology', ['switch', 'ports', 'vcs', 'bindings', 'mhds', 'faults']);
  if (!o) return { ok: false, errors: c.errors };
  // Faults on demand active from power-on (src/faults); targets are checked when the system builds.
  const faults = (c.array(o.faults, 'faults', true) ?? []).map((f, i) => {
    const r = faultFromJson(f);
    return r.ok ? r.value : c.fail(`faults[${i}]`, r.error);
  });
  const sw = checkSwitch(c, o.switch);
  const ports = (c.array(o.ports, 'ports') ?? []).map((p, i) => checkPort(c, p, `ports[${i}]`));
  const vcs = (c.array(o.vcs, 'vcs') ?? []).map((v, i) => checkVcs(c, v, `vcs[${i}]`));
  const bindings = (c.array(o.bindings, 'bindings', true) ?? []).map((b, i) => checkBinding(c, b, `bindings[${i}]`));
  const mhds = (c.array(o.mhds, 'mhds', true) ?? []).map((m, i) => checkMhd(c, m, `mhds[${i}]`));
  if (c.errors.length > 0 || !sw) return { ok: false, errors: c.errors };
  const given = faults.filter(isDefined);
  const topology: Topology = {
    switch: sw,
    ports: ports.filter(isDefined),
    vcs: vcs.filter(isDefined),
    bindings: bindings.filter(isDefined),
    mhds: mhds.filter(isDefined),
    ...(given.length ? { faults: given } : {}),
  };
  crossCheck(c, topology);
  return c.errors.length > 0 ? { ok: false, errors: c.errors } : { ok: true, topology };
}

function isDefined<T>(v: T | undefined): v is T {
  return v !== undefined;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

function allDefined<T extends object>(o: T): o is T & Defined<T> {
  return Object.values(o).every((v) => v !== undefined);
}
