// The Features command set an LD answers (CXL r3.2 8.2.10.6, opcodes 05xxh).

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { getFeatureCommand } from './get-feature.js';
import { getSupportedFeaturesCommand } from './get-supported-features.js';
import { setFeatureCommand } from './set-feature.js';

export { getFeatureCommand, getSupportedFeaturesCommand, setFeatureCommand };

export const featuresCommands: readonly CommandDef<LogicalDevice>[] = [getSupportedFeaturesCommand, getFeatureCommand, setFeatureCommand];
