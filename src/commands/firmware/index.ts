// The firmware update command set an LD answers (CXL r3.2 8.2.10.3, opcodes 02xxh).

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { activateFwCommand } from './activate-fw.js';
import { getFwInfoCommand } from './get-fw-info.js';
import { transferFwCommand } from './transfer-fw.js';

export { activateFwCommand, getFwInfoCommand, transferFwCommand };

export const firmwareCommands: readonly CommandDef<LogicalDevice>[] = [getFwInfoCommand, transferFwCommand, activateFwCommand];
