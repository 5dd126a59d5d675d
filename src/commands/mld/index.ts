// MLD component commands (CXL r3.2 7.6.7.4, command set 54h): the FM-owned LD of an MLD answers
// them to manage memory allocation and QoS of the device's LDs.

import type { CommandDef } from '../../cci/command.js';
import type { MldManagement } from '../../type3/mld-management.js';
import { getLdAllocationsCommand } from './get-ld-allocations.js';
import { getLdInfoCommand } from './get-ld-info.js';
import { getQosAllocatedBwCommand } from './get-qos-allocated-bw.js';
import { getQosBwLimitCommand } from './get-qos-bw-limit.js';
import { getQosControlCommand } from './get-qos-control.js';
import { getQosStatusCommand } from './get-qos-status.js';
import { setLdAllocationsCommand } from './set-ld-allocations.js';
import { setQosAllocatedBwCommand } from './set-qos-allocated-bw.js';
import { setQosBwLimitCommand } from './set-qos-bw-limit.js';
import { setQosControlCommand } from './set-qos-control.js';

export {
  getLdAllocationsCommand,
  getLdInfoCommand,
  getQosAllocatedBwCommand,
  getQosBwLimitCommand,
  getQosControlCommand,
  getQosStatusCommand,
  setLdAllocationsCommand,
  setQosAllocatedBwCommand,
  setQosBwLimitCommand,
  setQosControlCommand,
};

export const mldCommands: readonly CommandDef<MldManagement>[] = [
  getLdInfoCommand,
  getLdAllocationsCommand,
  setLdAllocationsCommand,
  getQosControlCommand,
  setQosControlCommand,
  getQosStatusCommand,
  getQosAllocatedBwCommand,
  setQosAllocatedBwCommand,
  getQosBwLimitCommand,
  setQosBwLimitCommand,
];
