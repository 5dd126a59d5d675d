// The whole fabric's persistent state as named parts ('switch', 'port<P>' for a device,
// 'port<P>.ld<N>' for each LD), a fingerprint of the topology it belongs to, and the change
// signal a store listens to. Pure: the journal that makes it durable lives in emulator/state/.

import type { ResetKind } from '../model/reset.js';
import { Effect } from '../spec/effects.js';
import { RC } from '../spec/return-codes.js';
import type { EmulatorSystem } from '../system.js';
import type { Topology } from '../topology/index.js';
import { MhdHead } from '../type3/multi-headed-device.js';
import { Type3Device } from '../type3/type3-device.js';
import { deviceState, ldState, restoreDevice, restoreLd, restoreSwitch, switchState } from './persistent.js';
import type { Json } from './read.js';

export type StateParts = Record<string, Json>;

/** Format tag and version of a whole-fabric state document (a snapshot, the store's base file). */
export const STATE_FORMAT = 'cxlemu-state';
export const STATE_FORMAT_VERSION = 1;

export interface FabricState {
  readonly format: typeof STATE_FORMAT;
  readonly version: number;
  /** topologyFingerprint() of the topology the state was made with. */
  readonly topology: string;
  readonly parts: StateParts;
}

/** Which parts a change may have touched: all of them, the switch's, or one port's device and LDs. */
export type ChangeScope = 'all' | 'switch' | { readonly port: number };

/** Every persistent part of the system (or of one scope), keyed by name. */
export function snapshotParts(sys: EmulatorSystem, scope: ChangeScope = 'all'): StateParts {
  const parts: StateParts = {};
  if (scope === 'all' || scope === 'switch') parts['switch'] = switchState(sys.sw);
  if (scope === 'switch') return parts;
  for (const { key, ports, dev } of stateDevices(sys)) {
    if (scope !== 'all' && !ports.includes(scope.port)) continue;
    const d = deviceState(dev);
    if (d === undefined) continue;
    parts[key] = d;
    dev.lds.forEach((ld) => (parts[`${key}.ld${ld.id}`] = ldState(ld)));
  }
  return parts;
}

/**
 * The type 3 devices whose state is kept, each under one name: `port<P>` for a device on port P;
 * a multi-headed device's pool under its first head's port, reached from any of its heads' ports.
 */
function stateDevices(sys: EmulatorSystem): { key: string; ports: number[]; dev: Type3Device }[] {
  const out: { key: string; ports: number[]; dev: Type3Device }[] = [];
  const entries = [...sys.devices].sort((a, b) => a[0] - b[0]);
  for (const [port, dev] of entries) {
    if (dev instanceof Type3Device) out.push({ key: `port${port}`, ports: [port], dev });
    else if (dev instanceof MhdHead && dev.index === 0) {
      const ports = entries.filter(([, d]) => d instanceof MhdHead && d.mhd === dev.mhd).map(([p]) => p);
      out.push({ key: `port${port}`, ports, dev: dev.mhd.pool });
    }
  }
  return out;
}

/** The names snapshotParts(sys) gives its parts, without making any. */
export function partNames(sys: EmulatorSystem): Set<string> {
  const names = new Set(['switch']);
  for (const { key, dev } of stateDevices(sys)) {
    names.add(key);
    for (const ld of dev.lds) names.add(`${key}.ld${ld.id}`);
  }
  return names;
}

export function snapshotFabric(sys: EmulatorSystem, fingerprint: string): FabricState {
  return { format: STATE_FORMAT, version: STATE_FORMAT_VERSION, topology: fingerprint, parts: snapshotParts(sys) };
}

/**
 * Apply parts to a system freshly built from the same topology, then run the models' reset of
 * `kind` (persistent.ts says why): 'cold' for a restart (a power cycle), 'conventional' for a
 * snapshot restore. On an error the system is half-restored: callers restore onto a fresh system
 * and discard it on failure.
 */
export function restoreParts(sys: EmulatorSystem, parts: StateParts, kind: ResetKind): string | undefined {
  // Names only: serialising every part (media, LSAs) of thousands of LDs just to list them is the
  // start-up's largest cost; Sets keep the comparison linear in the part count.
  const expected = partNames(sys);
  const given = new Set(Object.keys(parts));
  const missing = [...expected].filter((k) => !given.has(k)).sort();
  const extra = [...given].filter((k) => !expected.has(k)).sort();
  if (missing.length || extra.length) {
    return `state does not match the topology: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unknown ${extra.join(', ')}` : ''}`;
  }
  // Faults (a topology's, active from power-on) come off while the state goes in, and back after.
  const faults = sys.faults.list().map((f) => f.spec);
  sys.faults.clear('all');
  const sw = restoreSwitch(sys.sw, parts['switch']);
  if (sw) return sw;
  for (const { key, dev } of stateDevices(sys)) {
    // The device first: its allocations set each LD's capacity, which the LD part is checked against.
    const d = restoreDevice(dev, parts[key], key);
    if (d) return d;
    for (const ld of dev.lds) {
      const m = restoreLd(ld, parts[`${key}.ld${ld.id}`], `${key}.ld${ld.id}`);
      if (m) return m;
    }
  }
  sys.reset(kind);
  for (const f of faults) sys.faults.inject(f);
  return undefined;
}

/** Check a whole-fabric document's envelope; the parts are checked by restoreParts. */
export function readFabricState(doc: unknown, fingerprint: string): { ok: true; parts: StateParts } | { ok: false; error: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'not a cxlemu state document (expected a JSON object)' };
  const d = doc as Record<string, unknown>;
  if (d['format'] !== STATE_FORMAT) return { ok: false, error: `not a cxlemu state document (format ${JSON.stringify(d['format'])})` };
  if (d['version'] !== STATE_FORMAT_VERSION) return { ok: false, error: `state format version ${JSON.stringify(d['version'])}, this emulator reads ${STATE_FORMAT_VERSION}` };
  if (d['topology'] !== fingerprint) return { ok: false, error: 'the state was made with a different topology than the one running (its fingerprint differs)' };
  const parts = d['parts'];
  if (typeof parts !== 'object' || parts === null || Array.isArray(parts)) return { ok: false, error: 'state document has no parts object' };
  return { ok: true, parts: parts as StateParts };
}

/**
 * A canonical text of the topology (sorted keys, bigints as decimal, maps as entries): equal for
 * equal topologies, so a store can hash it and refuse state made for another fabric.
 */
export function topologyFingerprint(t: Topology): string {
  // Faults are the bench's, not the fabric's: adding one to the file keeps the state usable.
  const { faults: _faults, ...fabric } = t;
  void _faults;
  return JSON.stringify(canonical(fabric));
}

function canonical(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [canonical(k), canonical(x)]);
  if (v instanceof Set) return [...v].map(canonical);
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * The change signal: `changed` runs synchronously after anything that may have changed persistent
 * state (a command that succeeded with a state-changing CEL effect, the end of a background
 * operation, a switch binding or domain validation change, a PERST# or hot reset that reset a
 * port's device), before the transport that carried it can answer. Returns the detach.
 */
export function watchPersistentChanges(sys: EmulatorSystem, changed: (scope: ChangeScope) => void): () => void {
  const off: (() => void)[] = [];
  for (const [name, cci] of sys.ccis()) {
    // A device's CCI changes only that port's device. The switch CCI's own commands change only
    // the switch's part: it reaches a device through a tunnel (whose CCI signals) or by resetting
    // its port (the port-changed event below), never directly.
    const m = /^port(\d+)\./.exec(name);
    const scope: ChangeScope = m ? { port: Number(m[1]) } : 'switch';
    off.push(
      cci.events.on('command', (t) => {
        // A carrier (Tunnel Management) changes nothing itself: the CCI that ran the carried
        // command signals its own change first.
        if (CARRIERS.has(t.opcode)) return;
        // A refused command changed nothing; a started background operation already has (a
        // sanitize disables the media at once), and its end signals again.
        if (t.rc !== RC.Success && t.rc !== RC.BackgroundCommandStarted) return;
        if (((cci.command(t.opcode)?.effects ?? 0) & SAVED_EFFECTS) !== 0) changed(scope);
      }),
      cci.events.on('background-complete', () => changed(scope)),
    );
  }
  off.push(
    sys.sw.events.on('vppb-changed', () => changed('switch')),
    sys.sw.events.on('domain-validation-set', () => changed('switch')),
    sys.sw.events.on('port-changed', (e) => {
      // Both reset the port's device, whose reset may apply a pending partition or staged firmware.
      if (e.change === 'perst-asserted' || e.change === 'hot-reset') changed({ port: e.port });
    }),
  );
  return () => off.forEach((f) => f());
}

/** Tunnel Management Command (CXL r3.2 7.6.7.3.1) carries commands. */
const CARRIERS: ReadonlySet<number> = new Set([0x5300]);

/**
 * CEL effects that may change a saved part. Event logs and the other logs are not saved
 * (persistent.ts), so a log-only change is not one; secondary mailbox, abort support and the
 * reset-bits-valid flag describe the command, they change nothing.
 */
const SAVED_EFFECTS = ~(Effect.LogChangeImmediate | Effect.SecondaryMailboxSupported | Effect.RequestAbortSupported | Effect.ResetBitsValid);
