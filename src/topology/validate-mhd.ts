// Validation of the topology's multi-headed devices (`mhds[]`, see schema.ts) and of the bindings
// that name their heads. Split from validate.ts, whose Checker it uses, to keep each file short.

import type { TopologyBinding, TopologyMhd, TopologyPort } from './schema.js';
import type { Checker } from './validate.js';

const CAPACITY_UNIT = 256n << 20n;
const MAX_LDS = 16;
const MIN_HEADS = 2;
const MAX_HEADS = 8;

export function checkMhd(c: Checker, v: unknown, p: string): TopologyMhd | undefined {
  const o = c.object(v, p, ['serialNumber', 'heads', 'ldCount', 'capacity', 'persistent', 'lsaSize', 'ldMap']);
  if (!o) return undefined;
  const headList = c.array(o.heads, `${p}.heads`);
  const heads = headList?.map((h, i) => c.int(h, `${p}.heads[${i}]`, 0, 255));
  if (headList && (headList.length < MIN_HEADS || headList.length > MAX_HEADS)) {
    c.fail(`${p}.heads`, `a multi-headed device has ${MIN_HEADS} to ${MAX_HEADS} heads (one head is an MLD)`);
  }
  heads?.forEach((h, i) => {
    if (h !== undefined && heads.indexOf(h) !== i) c.fail(`${p}.heads[${i}]`, `port ${h} is listed twice`);
  });
  const ldCount = c.int(o.ldCount, `${p}.ldCount`, 1, MAX_LDS);
  const capacity = c.size(o.capacity, `${p}.capacity`);
  if (capacity !== undefined && capacity % CAPACITY_UNIT !== 0n) c.fail(`${p}.capacity`, 'must be a multiple of 256 MiB');
  if (capacity !== undefined && ldCount !== undefined && capacity < BigInt(ldCount) * CAPACITY_UNIT) {
    c.fail(`${p}.capacity`, `must give each of the ${ldCount} LDs at least 256 MiB`);
  }
  const persistent = c.size(o.persistent, `${p}.persistent`, 0n);
  if (persistent !== undefined && persistent % CAPACITY_UNIT !== 0n) c.fail(`${p}.persistent`, 'must be a multiple of 256 MiB');
  if (persistent !== undefined && capacity !== undefined && persistent > capacity) c.fail(`${p}.persistent`, 'exceeds capacity');
  const lsaSize = c.int(o.lsaSize, `${p}.lsaSize`, 0, 0x7fffffff, 0);
  const serialNumber = c.u64(o.serialNumber, `${p}.serialNumber`);
  if (!heads || heads.some((h) => h === undefined) || ldCount === undefined) return undefined;
  const headPorts = heads as number[];
  let ldMap: (number | undefined)[];
  if (o.ldMap === undefined) {
    ldMap = Array.from({ length: ldCount }, (_, ld) => headPorts[ld % headPorts.length]);
  } else {
    const list = c.array(o.ldMap, `${p}.ldMap`) ?? [];
    if (list.length !== ldCount) c.fail(`${p}.ldMap`, `needs one entry per LD (${ldCount})`);
    ldMap = list.map((e, ld) => {
      if (e === null) return undefined;
      const port = c.int(e, `${p}.ldMap[${ld}]`, 0, 255);
      if (port !== undefined && !headPorts.includes(port)) c.fail(`${p}.ldMap[${ld}]`, `port ${port} is not a head of this device (heads: ${headPorts.join(', ')}); null for none`);
      return port;
    });
  }
  if (capacity === undefined || persistent === undefined || lsaSize === undefined || serialNumber === undefined) return undefined;
  return { serialNumber, heads: headPorts, ldCount, capacity, persistent, lsaSize, ldMap };
}

/** Heads must be free DSPs, each in one device; returns the head ports by port ID. */
export function crossCheckMhds(c: Checker, mhds: readonly TopologyMhd[], ports: ReadonlyMap<number, TopologyPort>): Map<number, TopologyMhd> {
  const headOf = new Map<number, TopologyMhd>();
  mhds.forEach((m, i) => {
    m.heads.forEach((h, k) => {
      const hp = `mhds[${i}].heads[${k}]`;
      const port = ports.get(h);
      if (!port || port.role !== 'dsp') return void c.fail(hp, `port ${h} is not a DSP`);
      if (port.disabled) c.fail(hp, `port ${h} is disabled`);
      if (port.device) c.fail(hp, `port ${h} already has a device`);
      if (headOf.has(h)) c.fail(hp, `port ${h} is a head of another multi-headed device`);
      headOf.set(h, m);
    });
  });
  return headOf;
}

/** A binding on a head: an LD assigned to that head, bound once. */
export function checkHeadBinding(c: Checker, b: TopologyBinding, p: string, m: TopologyMhd, taken: Set<string>): void {
  if (b.ld === undefined) return void c.fail(`${p}.ld`, `port ${b.port} is a head of a multi-headed device: name the LD`);
  if (b.ld >= m.ldCount) return void c.fail(`${p}.ld`, `the multi-headed device on port ${b.port} has LDs 0..${m.ldCount - 1}`);
  if (m.ldMap[b.ld] !== b.port) return void c.fail(`${p}.ld`, `LD ${b.ld} is not assigned to the head on port ${b.port}`);
  if (taken.has(`p${b.port}/${b.ld}`)) c.fail(`${p}.ld`, `LD ${b.ld} of port ${b.port} bound twice`);
  taken.add(`p${b.port}/${b.ld}`);
}
