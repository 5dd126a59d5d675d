// Generic component commands (CXL r3.2 8.2.10.1-8.2.10.5) and the sets each kind of CCI carries.

import type { CommandDef } from '../../cci/command.js';
import { backgroundOperationStatusCommand } from './background-operation-status.js';
import { clearLogCommand } from './clear-log.js';
import { getLogCommand } from './get-log.js';
import { getLogCapabilitiesCommand } from './get-log-capabilities.js';
import { getResponseMessageLimitCommand } from './get-response-message-limit.js';
import { getSupportedLogsCommand } from './get-supported-logs.js';
import { getSupportedLogsSubListCommand } from './get-supported-logs-sub-list.js';
import { getTimestampCommand } from './get-timestamp.js';
import { populateLogCommand } from './populate-log.js';
import { identifyCommand } from './identify.js';
import { requestAbortBackgroundOperationCommand } from './request-abort-background-operation.js';
import { setResponseMessageLimitCommand } from './set-response-message-limit.js';
import { setTimestampCommand } from './set-timestamp.js';

export {
  backgroundOperationStatusCommand,
  clearLogCommand,
  getLogCapabilitiesCommand,
  getLogCommand,
  getResponseMessageLimitCommand,
  getSupportedLogsCommand,
  getSupportedLogsSubListCommand,
  getTimestampCommand,
  identifyCommand,
  populateLogCommand,
  requestAbortBackgroundOperationCommand,
  setResponseMessageLimitCommand,
  setTimestampCommand,
};

/**
 * Every generic command. The switch CCI, an LD's CCI and an MLD's FM-owned LD CCI all carry the full
 * set: Identify, Background Operation Status and the response-limit pair are prohibited only on a
 * device's primary/secondary mailbox, and every CCI here is also reached by tunnel or MCTP, where
 * they are required (reference qemu-cxl-emulation.md §7b-7d). The log commands past Get Log (Get
 * Log Capabilities, Clear Log, Populate Log, Get Supported Logs Sub-List) act on whatever logs a CCI serves
 * (logs.ts), so they too belong on every CCI: on the switch and the FM-owned LD they see the CEL
 * only, which reports no capabilities and refuses Clear Log and Populate Log.
 */
export const genericCommands: readonly CommandDef[] = [
  identifyCommand,
  backgroundOperationStatusCommand,
  getResponseMessageLimitCommand,
  setResponseMessageLimitCommand,
  requestAbortBackgroundOperationCommand,
  getTimestampCommand,
  setTimestampCommand,
  getSupportedLogsCommand,
  getLogCommand,
  getLogCapabilitiesCommand,
  clearLogCommand,
  populateLogCommand,
  getSupportedLogsSubListCommand,
];

export const switchGenericCommands = genericCommands;
export const type3GenericCommands = genericCommands;
export const fmOwnedLdGenericCommands = genericCommands;
