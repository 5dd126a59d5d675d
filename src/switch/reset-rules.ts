// Which switch state each reset clears (src/model/reset.ts). Switch.reset follows this table.
// The switch's own mailbox CCI and MMPT queue are reset by the system (src/system.ts) for every
// reset kind but CXL Reset, which a switch does not take.

import type { ResetRules } from '../model/reset.js';

export type SwitchState = 'bindings' | 'domainValidationSv' | 'portControl' | 'ppbConfig' | 'aerLog';

export const SWITCH_RESET_RULES: ResetRules<SwitchState> = {
  // Bindings the FM made are configuration the switch keeps: a host's reset leaves them (the FM
  // would otherwise rebind after every reboot), and so does a power cycle. The project counts them
  // among what a device keeps without power (issue 14: "bindings the FM made"), so a server
  // restarted on its --state directory comes back bound as it was acknowledged. A harness that
  // wants the topology's initial bindings loads the topology again or restores a snapshot.
  bindings: [],
  // The secret value identifies the host domain for this power-on (7.6.7.1.6, set once); it is
  // not kept without power (project choice: the spec gives it no persistence).
  domainValidationSv: ['cold'],
  // PERST# held and Reset PPB in progress (7.6.7.1.3): released when power returns.
  portControl: ['cold'],
  // PPB configuration registers: power-on values after a power cycle; a conventional Reset keeps
  // today's behaviour of leaving the switch's own registers to the FM.
  ppbConfig: ['cold'],
  aerLog: ['cold'],
};
