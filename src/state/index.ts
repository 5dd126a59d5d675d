// Persistent state of the emulated fabric: what survives a power cycle (persistent.ts, the one
// definition), the whole-fabric document and the change signal (fabric.ts). No files here.

export { PART_VERSION, deviceState, ldState, restoreDevice, restoreLd, restoreSwitch, switchState } from './persistent.js';
export {
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  readFabricState,
  partNames,
  restoreParts,
  snapshotFabric,
  snapshotParts,
  topologyFingerprint,
  watchPersistentChanges,
  type ChangeScope,
  type FabricState,
  type StateParts,
} from './fabric.js';
export type { Json } from './read.js';
