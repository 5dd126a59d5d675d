// Redfish chunk writes on a dynamic-capacity device as FM-API requests (pure): a POST to the
// MemoryChunks collection is Initiate Dynamic Capacity Add (5604h, CXL r3.2 7.6.7.6.5), a DELETE
// of an extent chunk is Initiate Dynamic Capacity Release (5605h, 7.6.7.6.6). The payloads come
// from the command table's own codec; the host driver and its filter decide.
//
// Spec-silent choices:
// - The POST body names the size (MemoryChunkSizeMiB, required), the host (Links.Endpoints: one LD
//   endpoint of this device; optional for an SLD, whose only host is LD 0), the region
//   (InterleaveSets[0].RegionId DC<n>, default DC0) and optionally where (InterleaveSets[0].OffsetMiB
//   from the region's base: the Prescriptive policy). Without an offset the device picks one
//   contiguous range (the Contiguous policy), so one POST is one extent and one chunk. An optional
//   Oem.Cxlemu.Tag (32 hex digits) tags the extent.
// - MemoryChunkSizeMiB is read-only in the MemoryChunks schema, so an extent's size is never
//   PATCHed: a smaller or larger extent is a DELETE and a POST. DELETE is a prescriptive, not
//   forced, release of exactly that extent: the host keeps it until it answers Release DC (4803h).

import { initiateDcRequestCodec } from '../../src/commands/dcd/initiate-dc-request-codec.js';
import { initiateDynamicCapacityAddCommand } from '../../src/commands/dcd/initiate-dynamic-capacity-add.js';
import { initiateDynamicCapacityReleaseCommand } from '../../src/commands/dcd/initiate-dynamic-capacity-release.js';
import type { DynamicCapacity } from '../../src/type3/dynamic-capacity.js';
import { MIB, errorBody, isObject, notInList, propertyValueError as bad, type RedfishError } from './common.js';
import type { DcChunkView } from './dc-chunks.js';
import type { FabricView, MemoryDevice } from './fabric-view.js';
import type { FmRequest } from './writes.js';

const POLICY_CONTIGUOUS = 1;
const POLICY_PRESCRIPTIVE = 2;
const REMOVAL_PRESCRIPTIVE = 1;
const ZERO_TAG = new Uint8Array(16);

export interface DcAddRequest extends FmRequest {
  readonly host: number;
}

const missing = (prop: string, why: string): RedfishError => errorBody(400, 'PropertyMissing', `The property ${prop} is a required property and must be included in the request${why}.`, `Include ${prop} in the request body and resubmit the request.`);

/** Initiate Dynamic Capacity Add for a POST of a chunk; an error body for a bad request. */
export function dcAddRequest(v: FabricView, m: MemoryDevice, dcd: DynamicCapacity, body: unknown): DcAddRequest | RedfishError {
  if (!isObject(body)) return bad('The request body must be a JSON object.');
  const size = body['MemoryChunkSizeMiB'];
  if (size === undefined) return missing('MemoryChunkSizeMiB', '');
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) return bad('MemoryChunkSizeMiB must be a positive whole number of MiB.');
  if (body['AddressRangeType'] !== undefined && body['AddressRangeType'] !== 'Volatile') return notInList('AddressRangeType', body['AddressRangeType'], ['Volatile']);

  // The host: one LD endpoint of this device.
  const hosts = v.targets.filter((t) => t.memory === m);
  let host: number;
  const eps = isObject(body['Links']) ? body['Links']['Endpoints'] : undefined;
  if (eps === undefined) {
    if (hosts.length !== 1) return missing('Links/Endpoints', `: ${m.id} has ${hosts.length} LDs, name the one to give capacity to`);
    host = hosts[0]?.ld ?? 0;
  } else {
    const uri = Array.isArray(eps) && eps.length === 1 && isObject(eps[0]) ? eps[0]['@odata.id'] : undefined;
    const ep = typeof uri === 'string' ? hosts.find((t) => v.endpointByUri(uri) === t) : undefined;
    if (!ep) return bad(`Links/Endpoints must hold exactly one endpoint of an LD of ${m.id} (${hosts.map((t) => t.id).join(', ')}).`);
    host = ep.ld ?? 0;
  }

  // The region and, optionally, the offset in it.
  const sets = body['InterleaveSets'];
  if (sets !== undefined && (!Array.isArray(sets) || sets.length > 1 || (sets.length === 1 && !isObject(sets[0])))) return bad('InterleaveSets may hold at most one set: a DC region (RegionId) and an optional OffsetMiB.');
  const set = Array.isArray(sets) && isObject(sets[0]) ? sets[0] : {};
  const names = dcd.regions.map((r) => `DC${r.index}`);
  const rid = set['RegionId'] ?? 'DC0';
  const region = dcd.regions.find((r) => `DC${r.index}` === rid);
  if (!region) return notInList('InterleaveSets/0/RegionId', rid, names);
  const length = BigInt(size) * MIB;
  if (length % region.blockSize !== 0n) return bad(`MemoryChunkSizeMiB must be a multiple of DC region ${region.index}'s block size (${region.blockSize} bytes).`);
  const off = set['OffsetMiB'];
  if (off !== undefined && (typeof off !== 'number' || !Number.isInteger(off) || off < 0)) return bad('InterleaveSets/0/OffsetMiB must be a whole number of MiB from the region base.');

  let tag = ZERO_TAG;
  const oem = isObject(body['Oem']) && isObject(body['Oem']['Cxlemu']) ? body['Oem']['Cxlemu'] : undefined;
  if (oem?.['Tag'] !== undefined) {
    const t = oem['Tag'];
    if (typeof t !== 'string' || !/^[0-9a-fA-F]{32}$/.test(t)) return bad('Oem/Cxlemu/Tag must be 32 hex digits (the 16-byte extent tag).');
    tag = new Uint8Array(Buffer.from(t, 'hex'));
  }
  const prescriptive = typeof off === 'number';
  const extents = prescriptive ? [{ dpa: region.base + BigInt(off) * MIB, length, tag, sharedSeq: 0 }] : [];
  const payload = initiateDcRequestCodec.encode({ host, policy: prescriptive ? POLICY_PRESCRIPTIVE : POLICY_CONTIGUOUS, region: region.index, length: prescriptive ? 0n : length, tag, extents });
  return { opcode: initiateDynamicCapacityAddCommand.opcode, payload, subject: `LD${host}`, host };
}

/** Initiate Dynamic Capacity Release (prescriptive, not forced) of exactly one extent chunk. */
export function dcReleaseRequest(c: DcChunkView): FmRequest {
  const payload = initiateDcRequestCodec.encode({ host: c.host, policy: REMOVAL_PRESCRIPTIVE, region: 0, length: 0n, tag: ZERO_TAG, extents: [{ dpa: c.extent.dpa, length: c.extent.length, tag: ZERO_TAG, sharedSeq: 0 }] });
  return { opcode: initiateDynamicCapacityReleaseCommand.opcode, payload, subject: c.id };
}
