// SLD QoS Telemetry (CXL r3.2 8.2.10.9.8, 47xxh): on the LD of a single-logical device only. An
// MLD's LDs are managed by the FM through the MLD component set (54xxh) instead.

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { getSldQosControlCommand } from './get-sld-qos-control.js';
import { getSldQosStatusCommand } from './get-sld-qos-status.js';
import { setSldQosControlCommand } from './set-sld-qos-control.js';

export { getSldQosControlCommand, getSldQosStatusCommand, setSldQosControlCommand };

export const sldQosCommands: readonly CommandDef<LogicalDevice>[] = [getSldQosControlCommand, setSldQosControlCommand, getSldQosStatusCommand];
