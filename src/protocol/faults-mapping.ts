// FaultSpec and ActiveFault between protobuf and the domain (src/faults). proto3 has no absence
// for scalars, so only the fields that belong to the fault's kind are read; 0 means "absent" for
// count (until cleared) and length (one 64-byte line).

import { FAULT_FIELDS, type ActiveFault, type FaultKind, type FaultSpec } from '../faults/spec.js';
import type { cxlemu } from './gen/cxlemu.js';
import { invert, pb } from './tables.js';
import { fromU64 as u64In, toU64 as u64Out } from './wire.js';

const KIND_TO_PB: Record<FaultKind, number> = {
  'return-code': pb.FaultKind.FAULT_KIND_RETURN_CODE,
  delay: pb.FaultKind.FAULT_KIND_DELAY,
  'link-down': pb.FaultKind.FAULT_KIND_LINK_DOWN,
  'surprise-removal': pb.FaultKind.FAULT_KIND_SURPRISE_REMOVAL,
  'ld-failure': pb.FaultKind.FAULT_KIND_LD_FAILURE,
  'media-error': pb.FaultKind.FAULT_KIND_MEDIA_ERROR,
  'stuck-doorbell': pb.FaultKind.FAULT_KIND_STUCK_DOORBELL,
  'mctp-drop': pb.FaultKind.FAULT_KIND_MCTP_DROP,
  'mctp-corrupt': pb.FaultKind.FAULT_KIND_MCTP_CORRUPT,
};
const KIND_FROM_PB = invert(KIND_TO_PB);

export function faultSpecOut(s: FaultSpec): cxlemu.v1.IFaultSpec {
  return {
    kind: KIND_TO_PB[s.kind],
    target: s.target ?? '',
    ...(s.opcode !== undefined ? { opcode: s.opcode } : {}),
    rc: s.rc ?? 0,
    count: s.count ?? 0,
    delayMs: s.delayMs ?? 0,
    port: s.port ?? 0,
    ld: s.ld ?? 0,
    dpa: u64Out(s.dpa ?? 0n),
    length: u64Out(s.length ?? 0n),
  };
}

/** A FaultSpec from the wire, or a message when the kind is unknown. Ranges are checked later. */
export function faultSpecIn(f: cxlemu.v1.IFaultSpec | null | undefined): FaultSpec | string {
  const kind = KIND_FROM_PB.get(f?.kind ?? 0);
  if (!kind) return `unknown fault kind ${f?.kind ?? 0}`;
  const allowed = FAULT_FIELDS[kind];
  const has = (k: keyof FaultSpec): boolean => allowed.includes(k);
  const out: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = { kind };
  if (has('target')) out.target = f?.target ?? '';
  if (has('opcode') && f?.opcode !== undefined && f?.opcode !== null) out.opcode = f.opcode;
  if (has('rc')) out.rc = f?.rc ?? 0;
  if (has('count') && f?.count) out.count = f.count;
  if (has('delayMs')) out.delayMs = f?.delayMs ?? 0;
  if (has('port')) out.port = f?.port ?? 0;
  if (has('ld')) out.ld = f?.ld ?? 0;
  if (has('dpa')) out.dpa = u64In(f?.dpa);
  if (has('length') && u64In(f?.length) !== 0n) out.length = u64In(f?.length);
  return out;
}

export function activeFaultOut(a: ActiveFault): cxlemu.v1.IActiveFault {
  return { id: a.id, spec: faultSpecOut(a.spec), fired: a.fired, description: a.description };
}

export function activeFaultIn(a: cxlemu.v1.IActiveFault | null | undefined): ActiveFault {
  const spec = faultSpecIn(a?.spec);
  return { id: a?.id ?? 0, spec: typeof spec === 'string' ? { kind: 'return-code' } : spec, fired: a?.fired ?? 0, description: a?.description ?? '' };
}
