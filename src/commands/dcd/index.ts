// Dynamic capacity commands: the host side on each LD of a DCD (CXL r3.2 8.2.10.9.9, 48xxh) and
// the FM side on the FM-owned LD, or on an SLD's own CCI (7.6.7.6, 56xxh).

import type { CommandDef } from '../../cci/command.js';
import { addDynamicCapacityResponseCommand } from './add-dynamic-capacity-response.js';
import { dynamicCapacityAddReferenceCommand } from './dynamic-capacity-add-reference.js';
import { dynamicCapacityListTagsCommand } from './dynamic-capacity-list-tags.js';
import { dynamicCapacityRemoveReferenceCommand } from './dynamic-capacity-remove-reference.js';
import { getDcRegionExtentListsCommand } from './get-dc-region-extent-lists.js';
import { getDcdInfoCommand } from './get-dcd-info.js';
import { getDynamicCapacityConfigurationCommand } from './get-dynamic-capacity-configuration.js';
import { getDynamicCapacityExtentListCommand } from './get-dynamic-capacity-extent-list.js';
import { getHostDcRegionConfigurationCommand } from './get-host-dc-region-configuration.js';
import { initiateDynamicCapacityAddCommand } from './initiate-dynamic-capacity-add.js';
import { initiateDynamicCapacityReleaseCommand } from './initiate-dynamic-capacity-release.js';
import { releaseDynamicCapacityCommand } from './release-dynamic-capacity.js';
import { setDcRegionConfigurationCommand } from './set-dc-region-configuration.js';

export {
  addDynamicCapacityResponseCommand,
  dynamicCapacityAddReferenceCommand,
  dynamicCapacityListTagsCommand,
  dynamicCapacityRemoveReferenceCommand,
  getDcRegionExtentListsCommand,
  getDcdInfoCommand,
  getDynamicCapacityConfigurationCommand,
  getDynamicCapacityExtentListCommand,
  getHostDcRegionConfigurationCommand,
  initiateDynamicCapacityAddCommand,
  initiateDynamicCapacityReleaseCommand,
  releaseDynamicCapacityCommand,
  setDcRegionConfigurationCommand,
};

/** Host side: what an LD of a DCD answers (its device carries the per-LD DC handle). */
export const dcdHostCommands: readonly CommandDef<{ readonly dynamicCapacity: unknown }>[] = [
  getDynamicCapacityConfigurationCommand,
  getDynamicCapacityExtentListCommand,
  addDynamicCapacityResponseCommand,
  releaseDynamicCapacityCommand,
];

/** FM side: DCD management. Works on any device `dcdOf` recognises. */
export const dcdFmCommands: readonly CommandDef[] = [
  getDcdInfoCommand,
  getHostDcRegionConfigurationCommand,
  setDcRegionConfigurationCommand,
  getDcRegionExtentListsCommand,
  initiateDynamicCapacityAddCommand,
  initiateDynamicCapacityReleaseCommand,
  dynamicCapacityAddReferenceCommand,
  dynamicCapacityRemoveReferenceCommand,
  dynamicCapacityListTagsCommand,
];
