// Multi-Headed Device command set (CXL r3.2 7.6.7.5, 55xxh): on the LD Pool CCI of a
// multi-headed device (src/type3/multi-headed-device.ts).

import type { CommandDef } from '../../cci/command.js';
import type { MhdView } from '../../type3/multi-headed-device.js';
import { getHeadInfoCommand } from './get-head-info.js';
import { getMultiHeadedInfoCommand } from './get-multi-headed-info.js';

export { getHeadInfoCommand, getMultiHeadedInfoCommand };

export const mhdCommands: readonly CommandDef<MhdView>[] = [getMultiHeadedInfoCommand, getHeadInfoCommand];
