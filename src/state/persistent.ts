// The fabric's state as named parts, one per model, with a saver and a checked restorer for each
// piece of state the models' reset rule tables name (src/model/reset.ts; src/switch/reset-rules.ts,
// src/type3/ld/reset-rules.ts). Those tables are the one definition of what survives a power
// cycle; this file never restates it. A part holds everything that is not mere register or
// transfer state:
//
//   switch   vPPB bindings (a bind or unbind in flight did not complete: the vPPB keeps its state
//            before it), each VCS's domain validation secret.
//   device   LD allocations, QoS control and per-LD bandwidth, firmware slots (revisions, active,
//   (type 3) staged), each Feature's saved selection, DC region configuration and accepted extents
//            (pending DC offers are lost: only the volatile event log announced them).
//   LD       partition (active and next), label storage area, the persistent partition's media,
//            the poison list, passphrases, shutdown state, lifetime health counters (dirty
//            shutdown count, life used), media disabled by an unfinished sanitize, the alert
//            configuration.
//
// How a part comes back decides what survives: restoreParts() puts every part back on a fresh
// system and then runs the models' own reset. A server restart is a cold power cycle, so it runs
// reset('cold'): exactly the state the tables keep across a power cycle survives, the state a cold
// reset applies (a pending partition, a staged firmware slot, a dirty shutdown to count) is
// applied, and everything the tables clear at a power cycle is cleared, by the same code that a
// Reset request of kind cold runs. A snapshot restore runs reset('conventional') instead, so the
// FM's configuration (bindings, allocations, QoS, extents) comes back as it was saved.
//
import type { DownstreamDevice } from '../model/downstream.js';
import type { Switch, VppbState } from '../switch/switch.js';
import { LD_ID_NONE } from '../switch/switch.js';
import { RC } from '../spec/return-codes.js';
import { Type3Device } from '../type3/type3-device.js';
import type { LogicalDevice } from '../type3/logical-device.js';
import { PASSPHRASE_BYTES } from '../type3/ld/security.js';
import { LINE_BYTES } from '../type3/ld/media-store.js';
import { toHex } from '../util/bytes.js';
import { StateReader, type Json } from './read.js';

/** Version of every part's layout; a part of another version is refused with a clear error. */
export const PART_VERSION = 1;

// --- switch ---------------------------------------------------------------------------------------

export function switchState(sw: Switch): Json {
  const vppbs: Json[] = [];
  const dv: Json[] = [];
  for (const v of sw.vcsList()) {
    v.vppbs.forEach((s, i) => {
      const done = completedBinding(s);
      if (i > 0 && done) vppbs.push({ vcs: v.id, vppb: i, port: done.port, ld: done.ld ?? null });
    });
    if (v.domainValidationSv) dv.push({ vcs: v.id, sv: toHex(v.domainValidationSv) });
  }
  return { v: PART_VERSION, vppbs, domainValidation: dv };
}

/** The binding a vPPB holds once whatever is in flight is forgotten. */
function completedBinding(s: VppbState): { port: number; ld: number | undefined } | undefined {
  // A bind in flight never completed; an unbind in flight leaves the binding in place.
  if (s.kind === 'bound' || s.kind === 'unbinding') return { port: s.port, ld: s.ld };
  return undefined;
}

/** Put the switch's persistent state back on a freshly built switch (initial bindings replaced). */
export function restoreSwitch(sw: Switch, doc: unknown): string | undefined {
  const r = new StateReader('switch');
  const o = r.obj(doc, '');
  if (o['v'] !== PART_VERSION) return `switch: state version ${JSON.stringify(o['v'])}, this emulator reads ${PART_VERSION}`;
  const binds = r.arr(o['vppbs'], '.vppbs').map((b, i) => {
    const x = r.obj(b, `.vppbs[${i}]`);
    return {
      vcs: r.int(x['vcs'], `.vppbs[${i}].vcs`, 0, 255),
      vppb: r.int(x['vppb'], `.vppbs[${i}].vppb`, 1, 255),
      port: r.int(x['port'], `.vppbs[${i}].port`, 0, 255),
      ld: x['ld'] === null ? LD_ID_NONE : r.int(x['ld'], `.vppbs[${i}].ld`, 0, 15),
    };
  });
  const dv = r.arr(o['domainValidation'], '.domainValidation').map((d, i) => {
    const x = r.obj(d, `.domainValidation[${i}]`);
    return { vcs: r.int(x['vcs'], `.domainValidation[${i}].vcs`, 0, 255), sv: r.bytes(x['sv'], `.domainValidation[${i}].sv`) };
  });
  if (r.error) return r.error;
  for (const d of dv) if (!sw.vcs(d.vcs)) return `switch.domainValidation: no VCS ${d.vcs} in this topology`;
  // Unbind everything the topology bound, then bind what the state says, checking each bind.
  for (const v of sw.vcsList()) {
    for (let i = 1; i < v.vppbs.length; i++) if (v.vppbs[i]?.kind !== 'unbound') sw.startUnbind(v.id, i).complete();
  }
  for (const b of binds) {
    // Not bindNow: these are the FM's bindings, not the switch's boot configuration.
    const rc = sw.checkBind(b.vcs, b.vppb, b.port, b.ld);
    if (rc === RC.Success) sw.startBind(b.vcs, b.vppb, b.port, b.ld).complete();
    if (rc !== RC.Success) return `switch.vppbs: VCS ${b.vcs} vPPB ${b.vppb} cannot bind port ${b.port}${b.ld === LD_ID_NONE ? '' : ` LD ${b.ld}`} in this topology`;
  }
  for (const d of dv) {
    const v = sw.vcs(d.vcs);
    if (v) v.domainValidationSv = d.sv.slice();
  }
  return undefined;
}

// --- type 3 device ----------------------------------------------------------------------------------

export function deviceState(dev: DownstreamDevice): Json | undefined {
  if (!(dev instanceof Type3Device)) return undefined;
  const fw = dev.firmware;
  const dcd = dev.dcd?.persistentState();
  return {
    v: PART_VERSION,
    allocations: dev.allocations.list().map((a) => [a.range1.toString(), a.range2.toString()]),
    qos: { control: { ...dev.qos.control }, allocatedBw: toHex(dev.qos.allocatedBw), bwLimit: toHex(dev.qos.bwLimit) },
    firmware: { active: fw.active, staged: fw.staged, revisions: [...fw.revisions] },
    features: dev.features.list.flatMap((f) => (f.savedBytes ? [{ uuid: toHex(f.uuid), saved: toHex(f.savedBytes()) }] : [])),
    dcd: dcd
      ? {
          regions: dcd.regions.map((g) => ({ blockSize: g.blockSize.toString(), sanitizeOnRelease: g.sanitizeOnRelease })),
          hosts: dcd.hosts.map((h) => ({
            generation: h.generation,
            accepted: h.accepted.map((e) => ({ dpa: e.dpa.toString(), length: e.length.toString(), tag: toHex(e.tag), sharedSeq: e.sharedSeq })),
          })),
        }
      : null,
  };
}

const QOS_FIELDS = ['telemetryControl', 'egressModeratePercent', 'egressSeverePercent', 'backpressureSampleInterval', 'reqCmpBasis', 'completionCollectionInterval'] as const;

export function restoreDevice(dev: DownstreamDevice, doc: unknown, where: string): string | undefined {
  if (!(dev instanceof Type3Device)) return `${where}: state for a type 3 device, the topology has another kind here`;
  const r = new StateReader(where);
  const o = r.obj(doc, '');
  if (o['v'] !== PART_VERSION) return `${where}: state version ${JSON.stringify(o['v'])}, this emulator reads ${PART_VERSION}`;
  const allocations = r.arr(o['allocations'], '.allocations').map((a, i) => {
    const pair = r.arr(a, `.allocations[${i}]`);
    return { range1: r.big(pair[0], `.allocations[${i}][0]`), range2: r.big(pair[1], `.allocations[${i}][1]`) };
  });
  const q = r.obj(o['qos'], '.qos');
  const qc = r.obj(q['control'], '.qos.control');
  const control = Object.fromEntries(QOS_FIELDS.map((k) => [k, r.int(qc[k], `.qos.control.${k}`, 0, 65535)])) as Record<(typeof QOS_FIELDS)[number], number>;
  const allocatedBw = r.bytes(q['allocatedBw'], '.qos.allocatedBw', dev.ldCount);
  const bwLimit = r.bytes(q['bwLimit'], '.qos.bwLimit', dev.ldCount);
  const f = r.obj(o['firmware'], '.firmware');
  const fw = dev.firmware;
  const active = r.int(f['active'], '.firmware.active', 1, fw.slotCount);
  const staged = r.int(f['staged'], '.firmware.staged', 0, fw.slotCount);
  const revisions = r.arr(f['revisions'], '.firmware.revisions').map((s, i) => r.str(s, `.firmware.revisions[${i}]`));
  if (revisions.length !== fw.slotCount) r.fail('.firmware.revisions', `${revisions.length} slots, the device has ${fw.slotCount}`);
  const features = r.arr(o['features'], '.features').map((x, i) => {
    const e = r.obj(x, `.features[${i}]`);
    return { uuid: r.bytes(e['uuid'], `.features[${i}].uuid`, 16), saved: r.bytes(e['saved'], `.features[${i}].saved`) };
  });
  let dcd: Parameters<NonNullable<Type3Device['dcd']>['restorePersistent']>[0] | undefined;
  if (o['dcd'] !== null) {
    const d = r.obj(o['dcd'], '.dcd');
    dcd = {
      regions: r.arr(d['regions'], '.dcd.regions').map((g, i) => {
        const x = r.obj(g, `.dcd.regions[${i}]`);
        return { blockSize: r.big(x['blockSize'], `.dcd.regions[${i}].blockSize`), sanitizeOnRelease: r.bool(x['sanitizeOnRelease'], `.dcd.regions[${i}].sanitizeOnRelease`) };
      }),
      hosts: r.arr(d['hosts'], '.dcd.hosts').map((h, i) => {
        const x = r.obj(h, `.dcd.hosts[${i}]`);
        return {
          generation: r.int(x['generation'], `.dcd.hosts[${i}].generation`, 0, 0xffffffff),
          accepted: r.arr(x['accepted'], `.dcd.hosts[${i}].accepted`).map((e, j) => {
            const p = `.dcd.hosts[${i}].accepted[${j}]`;
            const y = r.obj(e, p);
            return { dpa: r.big(y['dpa'], `${p}.dpa`), length: r.big(y['length'], `${p}.length`), tag: r.bytes(y['tag'], `${p}.tag`, 16), sharedSeq: r.int(y['sharedSeq'], `${p}.sharedSeq`, 0, 0xffff) };
          }),
        };
      }),
    };
  }
  if (r.error) return r.error;
  if ((dcd === undefined) !== (dev.dcd === undefined)) return `${where}.dcd: dynamic capacity ${dcd ? 'state for a device without DC regions' : 'missing for a DCD'}`;
  if (allocations.length !== dev.ldCount) return `${where}.allocations: ${allocations.length} LDs, the device has ${dev.ldCount}`;
  if (dev.allocations.check(0, allocations) !== undefined) return `${where}.allocations: do not fit the device's capacity`;
  for (const x of features) {
    const feat = dev.features.find(x.uuid);
    if (!feat?.restoreSaved) return `${where}.features: no changeable Feature ${toHex(x.uuid)} on this device`;
    if (feat.validate(x.saved) !== RC.Success) return `${where}.features: saved value ${toHex(x.saved)} is not valid for ${toHex(x.uuid)}`;
  }
  if (dev.dcd && dcd) {
    const msg = dev.dcd.restorePersistent(dcd);
    if (msg) return `${where}.dcd: ${msg}`;
  }
  dev.allocations.set(0, allocations);
  dev.qos.setControl(control);
  dev.qos.allocatedBw.set(allocatedBw);
  dev.qos.bwLimit.set(bwLimit);
  fw.active = active;
  fw.staged = staged;
  revisions.forEach((s, i) => (fw.revisions[i] = s));
  for (const x of features) dev.features.find(x.uuid)?.restoreSaved?.(x.saved);
  return undefined;
}

// --- logical device ---------------------------------------------------------------------------------

export function ldState(ld: LogicalDevice): Json {
  const p = ld.partition;
  const persistentStart = p.activeVolatile;
  const sec = ld.security.persistentState();
  return {
    v: PART_VERSION,
    partition: {
      activeVolatile: p.activeVolatile.toString(),
      activePersistent: p.activePersistent.toString(),
      nextVolatile: p.nextVolatile.toString(),
      nextPersistent: p.nextPersistent.toString(),
    },
    lsa: sparse(ld.lsa),
    media: ld.media.linesIn(persistentStart, ld.capacityBytes - persistentStart).map(([line, data]) => [line.toString(), toHex(data)]),
    poison: ld.poison.records.map((x) => [x.dpa.toString(), x.length.toString(), x.source]),
    security: { userSet: sec.userSet, masterSet: sec.masterSet, user: toHex(sec.user), master: toHex(sec.master) },
    shutdown: { dirty: ld.dirtyShutdown, count: ld.health.dirtyShutdownCount, lifeUsed: ld.health.lifeUsed },
    alerts: Object.fromEntries(ALERT_FIELDS.map((k) => [k, ld.alerts[k]])),
    mediaDisabled: ld.mediaDisabled,
  };
}

/** Set Alert Configuration's writable fields (CXL r3.2 8.2.10.9.3.3); the critical ones are the device's. */
const ALERT_FIELDS = ['enabledAlerts', 'lifeUsedWarning', 'overTemperatureWarning', 'underTemperatureWarning', 'correctedVolatileWarning', 'correctedPersistentWarning'] as const;

const LSA_CHUNK = 64;

/** The non-zero 64-byte chunks of a byte area: an LSA is mostly zeros. */
function sparse(bytes: Uint8Array): Json[] {
  const out: Json[] = [];
  // 32-bit words: this runs after every change of an LD, over LSAs of up to a few hundred KiB.
  const words = bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : undefined;
  for (let off = 0; off < bytes.length; off += LSA_CHUNK) {
    const end = Math.min(bytes.length, off + LSA_CHUNK);
    let nonZero = false;
    if (words) {
      for (let i = off / 4; i < end / 4; i++) if (words[i] !== 0) { nonZero = true; break; }
    } else {
      for (let i = off; i < end; i++) if (bytes[i] !== 0) { nonZero = true; break; }
    }
    if (nonZero) out.push([off, toHex(bytes.subarray(off, end))]);
  }
  return out;
}

export function restoreLd(ld: LogicalDevice, doc: unknown, where: string): string | undefined {
  const r = new StateReader(where);
  const o = r.obj(doc, '');
  if (o['v'] !== PART_VERSION) return `${where}: state version ${JSON.stringify(o['v'])}, this emulator reads ${PART_VERSION}`;
  const pp = r.obj(o['partition'], '.partition');
  const partition = {
    activeVolatile: r.big(pp['activeVolatile'], '.partition.activeVolatile'),
    activePersistent: r.big(pp['activePersistent'], '.partition.activePersistent'),
    nextVolatile: r.big(pp['nextVolatile'], '.partition.nextVolatile'),
    nextPersistent: r.big(pp['nextPersistent'], '.partition.nextPersistent'),
  };
  const lsa = r.arr(o['lsa'], '.lsa').map((c, i) => {
    const pair = r.arr(c, `.lsa[${i}]`);
    return { off: r.int(pair[0], `.lsa[${i}][0]`, 0, ld.lsa.length), data: r.bytes(pair[1], `.lsa[${i}][1]`) };
  });
  const media = r.arr(o['media'], '.media').map((c, i) => {
    const pair = r.arr(c, `.media[${i}]`);
    return { line: r.big(pair[0], `.media[${i}][0]`), data: r.bytes(pair[1], `.media[${i}][1]`, LINE_BYTES) };
  });
  const poison = r.arr(o['poison'], '.poison').map((c, i) => {
    const t = r.arr(c, `.poison[${i}]`);
    return { dpa: r.big(t[0], `.poison[${i}][0]`), length: r.big(t[1], `.poison[${i}][1]`), source: r.int(t[2], `.poison[${i}][2]`, 0, 7) };
  });
  const s = r.obj(o['security'], '.security');
  const security = {
    userSet: r.bool(s['userSet'], '.security.userSet'),
    masterSet: r.bool(s['masterSet'], '.security.masterSet'),
    user: r.bytes(s['user'], '.security.user', PASSPHRASE_BYTES),
    master: r.bytes(s['master'], '.security.master', PASSPHRASE_BYTES),
  };
  const sd = r.obj(o['shutdown'], '.shutdown');
  const dirty = r.bool(sd['dirty'], '.shutdown.dirty');
  const count = r.int(sd['count'], '.shutdown.count', 0, 0xffffffff);
  const lifeUsed = r.int(sd['lifeUsed'], '.shutdown.lifeUsed', 0, 0xff);
  const mediaDisabled = r.bool(o['mediaDisabled'], '.mediaDisabled');
  const al = r.obj(o['alerts'], '.alerts');
  const alerts = Object.fromEntries(ALERT_FIELDS.map((k) => [k, r.int(al[k], `.alerts.${k}`, -0x8000, 0xffff)])) as Record<(typeof ALERT_FIELDS)[number], number>;
  if (r.error) return r.error;
  const cap = ld.capacityBytes;
  if (partition.activeVolatile + partition.activePersistent !== cap || partition.nextVolatile + partition.nextPersistent !== cap) {
    return `${where}.partition: does not add up to the LD's capacity ${cap}`;
  }
  for (const c of lsa) if (c.off + c.data.length > ld.lsa.length) return `${where}.lsa: chunk at ${c.off} runs past the ${ld.lsa.length}-byte LSA`;
  for (const m of media) if ((m.line + 1n) * BigInt(LINE_BYTES) > cap) return `${where}.media: line ${m.line} lies past the LD's capacity`;
  for (const x of poison) if (x.dpa % 64n !== 0n || x.length % 64n !== 0n || x.length === 0n || x.dpa + x.length > cap) return `${where}.poison: record at ${x.dpa} is not 64-byte aligned inside the LD`;

  ld.partition = partition;
  ld.lsa.fill(0);
  for (const c of lsa) ld.lsa.set(c.data, c.off);
  ld.media.zero();
  for (const m of media) ld.media.write(m.line * BigInt(LINE_BYTES), m.data);
  ld.poison.replace(poison);
  ld.security.restorePersistent(security);
  ld.dirtyShutdown = dirty;
  ld.health.dirtyShutdownCount = count;
  ld.health.lifeUsed = lifeUsed;
  ld.mediaDisabled = mediaDisabled;
  Object.assign(ld.alerts, alerts);
  return undefined;
}
