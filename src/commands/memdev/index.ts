// The memory-device command sets an LD answers (CXL r3.2 8.2.10.9, opcodes 40xxh-45xxh).

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { clearPoisonCommand } from './clear-poison.js';
import { getAlertConfigurationCommand } from './get-alert-configuration.js';
import { getHealthInfoCommand } from './get-health-info.js';
import { getLsaCommand } from './get-lsa.js';
import { getPartitionInfoCommand } from './get-partition-info.js';
import { getPoisonListCommand } from './get-poison-list.js';
import { getScanMediaCapabilitiesCommand } from './get-scan-media-capabilities.js';
import { getScanMediaResultsCommand } from './get-scan-media-results.js';
import { getSecurityStateCommand } from './get-security-state.js';
import { getShutdownStateCommand } from './get-shutdown-state.js';
import { identifyMemoryDeviceCommand } from './identify-memory-device.js';
import { injectPoisonCommand } from './inject-poison.js';
import { mediaOperationsCommand } from './media-operations.js';
import { sanitizeCommand } from './sanitize.js';
import { scanMediaCommand } from './scan-media.js';
import { secureEraseCommand } from './secure-erase.js';
import { setAlertConfigurationCommand } from './set-alert-configuration.js';
import { setLsaCommand } from './set-lsa.js';
import { setPartitionInfoCommand } from './set-partition-info.js';
import { setShutdownStateCommand } from './set-shutdown-state.js';

export {
  clearPoisonCommand,
  getAlertConfigurationCommand,
  getHealthInfoCommand,
  getLsaCommand,
  getPartitionInfoCommand,
  getPoisonListCommand,
  getScanMediaCapabilitiesCommand,
  getScanMediaResultsCommand,
  getSecurityStateCommand,
  getShutdownStateCommand,
  identifyMemoryDeviceCommand,
  injectPoisonCommand,
  mediaOperationsCommand,
  sanitizeCommand,
  scanMediaCommand,
  secureEraseCommand,
  setAlertConfigurationCommand,
  setLsaCommand,
  setPartitionInfoCommand,
  setShutdownStateCommand,
};

export const memdevCommands: readonly CommandDef<LogicalDevice>[] = [
  identifyMemoryDeviceCommand,
  getPartitionInfoCommand,
  setPartitionInfoCommand,
  getLsaCommand,
  setLsaCommand,
  getHealthInfoCommand,
  getAlertConfigurationCommand,
  setAlertConfigurationCommand,
  getShutdownStateCommand,
  setShutdownStateCommand,
  getPoisonListCommand,
  injectPoisonCommand,
  clearPoisonCommand,
  getScanMediaCapabilitiesCommand,
  scanMediaCommand,
  getScanMediaResultsCommand,
  sanitizeCommand,
  secureEraseCommand,
  mediaOperationsCommand,
  getSecurityStateCommand,
];
