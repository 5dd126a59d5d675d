// Which LDs the FM may reach with Send LD CXL.io Configuration/Memory Request (CXL r3.2 7.6.7.3.2,
// 7.6.7.3.3): an LD of an MLD port that no vPPB holds, or the FM-owned LD (FFFFh). "Invalid Input
// Return Code shall be generated if the requested LD is bound." A device held in reset by the FM
// cannot complete requests either, so that is Invalid Input too.

import type { DownstreamDevice } from '../../model/downstream.js';
import { RC } from '../../spec/return-codes.js';
import { LD_ID_NONE, type Switch } from '../../switch/switch.js';

/** LD-ID FFFFh: the FM-owned LD of an MLD. */
export const FM_OWNED_LD = LD_ID_NONE;

export function resolveUnboundLd(sw: Switch, portId: number, ldId: number): DownstreamDevice | number {
  const port = sw.port(portId);
  if (!port || port.role !== 'dsp' || !port.enabled || !port.device || !port.isMld) return RC.InvalidInput;
  if (port.inReset) return RC.InvalidInput;
  if (ldId !== FM_OWNED_LD && (ldId >= port.device.supportedLdCount || sw.isBound(portId, ldId))) return RC.InvalidInput;
  return port.device;
}
