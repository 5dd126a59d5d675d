// What the switch's FM-API commands act on: the switch model, plus the facts that belong to the
// CCI rather than the switch (which port it is reached through).

import type { CciContext } from '../../cci/context.js';
import type { EventLogs } from '../../events/event-log.js';
import type { Switch } from '../../switch/switch.js';

export interface SwitchCciDevice {
  readonly sw: Switch;
  /** The switch CCI's event logs (CXL r3.2 8.2.10.2; Fabric Management records, 7.6.8). */
  readonly events: EventLogs;
  /**
   * Identify Switch Device's Ingress Port ID (CXL r3.2 7.6.7.1.1): the physical port the request
   * arrived on. Also selects "its VCS" for the host-side domain validation commands.
   */
  readonly ingressPort: number;
}

/** The largest response this CCI may return now (CXL r3.2 8.2.10.1.3 response message limit). */
export function responseLimit(cci: CciContext): number {
  return cci.responseLimit;
}
