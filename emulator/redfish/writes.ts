// Redfish writes as FM-API requests (pure): what a POST to Connections, a DELETE of a Connection
// or a #Port.Reset asks the switch, as the opcode and payload the host driver submits. The driver
// and its filter decide; nothing here touches the device.
//
// Spec-silent choices:
// - A new Connection names one initiator (a host endpoint: its VCS) and one target (a device or LD
//   endpoint: port and LD). The vPPB is Oem.Cxlemu.VppbId when given, else the lowest unbound
//   downstream vPPB of that VCS.
// - DELETE of a Connection unbinds with Unbind Option "Managed Hot-Remove" (1): the orderly way.

import type { UNBIND_OPTION } from '../../src/cci/schema-enums.js';
import { setLdAllocationsCodec, setLdAllocationsCommand } from '../../src/commands/mld/set-ld-allocations.js';
import { physicalPortControlCommand, physicalPortControlRequestCodec } from '../../src/commands/switch/physical-port-control.js';
import { bindVppbCommand, bindVppbRequestCodec } from '../../src/commands/vcs/bind-vppb.js';
import { unbindVppbCommand, unbindVppbRequestCodec } from '../../src/commands/vcs/unbind-vppb.js';
import { MEMORY_GRANULARITY_BYTES } from '../../src/type3/ld-allocations.js';
import { MIB, errorBody, propertyValueError as bad, type RedfishError } from './common.js';
import type { FabricView } from './fabric-view.js';
import { PORT_RESET_OPCODE } from './fabric-resources.js';

const LD_NONE = 0xffff;
// Typed as a key of the codec's enum so a renumbered option table fails to compile here.
const UNBIND_MANAGED_HOT_REMOVE: keyof typeof UNBIND_OPTION = 1;

export interface FmRequest {
  readonly opcode: number;
  readonly payload: Uint8Array;
  /** What the request is about (the Connection it creates or removes, the port it resets). */
  readonly subject: string;
}

function uriOf(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length !== 1) return undefined;
  const first: unknown = v[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const id = (first as Record<string, unknown>)['@odata.id'];
  return typeof id === 'string' ? id : undefined;
}

/** Bind vPPB (CXL r3.2 7.6.7.2.2) for a POST to Connections; an error body for a bad request. */
export function bindRequest(view: FabricView, body: unknown): FmRequest | RedfishError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const lk = b['Links'];
  if (typeof lk !== 'object' || lk === null) return bad('Links.InitiatorEndpoints and Links.TargetEndpoints are required.');
  const l = lk as Record<string, unknown>;
  const iu = uriOf(l['InitiatorEndpoints']);
  const tu = uriOf(l['TargetEndpoints']);
  if (!iu || !tu) return bad('Links.InitiatorEndpoints and Links.TargetEndpoints must each hold exactly one endpoint link.');
  const host = view.endpointByUri(iu);
  const target = view.endpointByUri(tu);
  if (host?.kind !== 'host') return bad(`${iu} is not a host (initiator) endpoint of this fabric.`);
  if (target?.kind !== 'target') return bad(`${tu} is not a device or LD (target) endpoint of this fabric.`);
  const vcs = view.sys.sw.vcs(host.vcs);
  if (!vcs) return bad(`VCS ${host.vcs} does not exist.`);
  const oem = (b['Oem'] as Record<string, unknown> | undefined)?.['Cxlemu'] as Record<string, unknown> | undefined;
  const asked = oem?.['VppbId'];
  let vppb: number;
  if (asked !== undefined) {
    if (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1 || asked >= vcs.vppbs.length) return bad(`Oem.Cxlemu.VppbId must be a downstream vPPB of VCS ${host.vcs} (1..${vcs.vppbs.length - 1}).`);
    vppb = asked;
  } else {
    vppb = vcs.vppbs.findIndex((s, i) => i > 0 && s.kind === 'unbound');
    if (vppb < 0) return errorBody(409, 'ResourceExhaustion', `VCS ${host.vcs} has no unbound vPPB left.`, 'Delete a connection of this host first.');
  }
  const payload = bindVppbRequestCodec.encode({ vcsId: host.vcs, vppbId: vppb, portId: target.port, ldId: target.ld ?? LD_NONE });
  return { opcode: bindVppbCommand.opcode, payload, subject: `VCS${host.vcs}-vPPB${vppb}` };
}

/** Unbind vPPB (CXL r3.2 7.6.7.2.3) for a DELETE of a Connection. */
export function unbindRequest(vcs: number, vppb: number): FmRequest {
  return { opcode: unbindVppbCommand.opcode, payload: unbindVppbRequestCodec.encode({ vcsId: vcs, vppbId: vppb, option: UNBIND_MANAGED_HOT_REMOVE }), subject: `VCS${vcs}-vPPB${vppb}` };
}

/** Physical Port Control (CXL r3.2 7.6.7.1.2) for #Port.Reset. */
export function portResetRequest(port: number, body: unknown): FmRequest | RedfishError {
  const rt = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['ResetType'] : undefined;
  const type = rt === undefined ? 'ForceRestart' : rt;
  const op = typeof type === 'string' && Object.prototype.hasOwnProperty.call(PORT_RESET_OPCODE, type) ? PORT_RESET_OPCODE[type] : undefined;
  if (op === undefined) {
    return errorBody(400, 'ActionParameterValueNotInList', `ResetType ${JSON.stringify(type)} is not one of ${Object.keys(PORT_RESET_OPCODE).join(', ')}.`, 'Choose a listed ResetType.');
  }
  return { opcode: physicalPortControlCommand.opcode, payload: physicalPortControlRequestCodec.encode({ ppbId: port, op }), subject: `Port${port}` };
}

// LD allocations count Memory Granularity units; the device reports granularity 0 (256 MiB).
const UNIT_MIB = Number(MEMORY_GRANULARITY_BYTES / MIB);

/**
 * Set LD Allocations (CXL r3.2 7.6.7.4.3) for a PATCH of a chunk's MemoryChunkSizeMiB: one entry
 * for LD `ld`, sent through a tunnel to the device's FM-owned LD. Spec-silent choice: the
 * persistent part (range 2) stays as it is and the volatile part (range 1) takes the rest, so a
 * chunk can shrink no further than its persistent capacity.
 */
export function allocationRequest(ld: number, range2Units: bigint, body: unknown): FmRequest | RedfishError {
  const size = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['MemoryChunkSizeMiB'] : undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size % UNIT_MIB !== 0) {
    return bad(`MemoryChunkSizeMiB must be a whole number of ${UNIT_MIB} MiB units.`);
  }
  const units = BigInt(size / UNIT_MIB);
  if (units < range2Units) return bad(`LD ${ld} holds ${range2Units * BigInt(UNIT_MIB)} MiB of persistent capacity; the chunk cannot be smaller.`);
  const payload = setLdAllocationsCodec.encode({ startLd: ld, list: [{ range1: units - range2Units, range2: range2Units }] });
  return { opcode: setLdAllocationsCommand.opcode, payload, subject: `LD${ld}` };
}
