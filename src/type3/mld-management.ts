// What the MLD component commands (CXL r3.2 7.6.7.4, opcodes 54xxh) may touch: the narrow view of
// a type 3 device that its FM-owned LD manages. The device class implements it; tests can too.

import type { LdAllocations } from './ld-allocations.js';
import type { QosState } from './qos.js';

export interface MldManagement {
  readonly ldCount: number;
  /** Total static capacity of the device in bytes (Get LD Info "Memory Size"). */
  readonly capacityBytes: bigint;
  readonly allocations: LdAllocations;
  readonly qos: QosState;
}
