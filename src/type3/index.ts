// Type 3 memory devices: the factory the topology calls and the models tests and tools inspect.

export { createType3Device, Type3Device, MAX_LDS } from './type3-device.js';
export { LdBarMemory, LdConfigSpace, CONFIG_SPACE_SIZE, LD_BAR_SIZE } from './config-space.js';
export { LdAllocations, MEMORY_GRANULARITY_BYTES, MEMORY_GRANULARITY_CODE, type LdAllocation } from './ld-allocations.js';
export { QosState, QOS_CONTROL_DEFAULTS, type QosControl } from './qos.js';
export {
  DynamicCapacity,
  LdDynamicCapacity,
  DcEventType,
  DcSelectionPolicy,
  DcRemovalPolicy,
  DC_EVENT_UUID,
  dcdOf,
  isLdDynamicCapacity,
  type DcExtent,
  type DcRange,
  type DcRegion,
} from './dynamic-capacity.js';
export type { MldManagement } from './mld-management.js';
export { createLogicalDevice, LogicalDevice, type LogicalDeviceOptions } from './logical-device.js';
