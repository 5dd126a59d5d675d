// Which state of a logical device each reset clears (src/model/reset.ts). LogicalDevice.reset
// follows this table. A persistence layer saves survivesPowerCycle(LD_RESET_RULES) plus the
// state a cold reset applies rather than drops (pendingPartition, stagedFirmware, shutdownState:
// they are stored so that power-up can act on them), restores it, then runs reset('cold').
// Where CXL r3.2 names the reset, the comment cites it; the rest are project choices (README
// "Resets").

import type { ResetRules } from '../../model/reset.js';

export type LdState =
  | 'cci'
  | 'volatileMedia'
  | 'persistentMedia'
  | 'lsa'
  | 'poison'
  | 'partitionLayout'
  | 'pendingPartition'
  | 'shutdownState'
  | 'healthCounters'
  | 'scanMediaResults'
  | 'eventLogs'
  | 'firmwareSlots'
  | 'stagedFirmware'
  | 'firmwareTransfer'
  | 'featureCurrentValues'
  | 'featureSavedValues'
  | 'passphrases'
  | 'securityLockAndFreeze'
  | 'mediaDisabled'
  | 'alertConfiguration'
  | 'vendorDebugLog';

const ALL = ['conventional', 'cxl', 'cold'] as const;

export const LD_RESET_RULES: ResetRules<LdState> = {
  // Mailbox/CCI state: background work is discarded (9.7: "outstanding commands ... silently
  // discarded"), the timestamp and Response Message Limit return to their defaults.
  cci: ALL,
  // Volatile HDM: lost without power; re-initialised by a conventional reset; cleared by CXL Reset
  // (we model CXL Reset Mem Clr, 9.7.1, so no content leaks to the next owner).
  volatileMedia: ALL,
  // 9.7: "Contents of the persistent HDM ranges will be retained"; likewise the LSA and the
  // poison list, which describe the persistent media.
  persistentMedia: [],
  lsa: [],
  poison: [],
  // The active partition layout is persistent device configuration.
  partitionLayout: [],
  // Set Partition Info without Immediate: its CEL lists configuration change after cold,
  // conventional and CXL reset (8.2.10.9.2.2, Table 8-87 bits 0, 10, 11), and Get Partition Info's
  // Next values become active "on the next reset (as specified in the Set Partition command
  // effects)", so the next reset of any kind applies the pending layout.
  pendingPartition: ALL,
  // Shutdown State (8.2.10.9.3.5) is kept in persistent storage; a device initialised while it reads
  // dirty counts a dirty shutdown (conventional and cold resets re-initialise the device).
  shutdownState: ['conventional', 'cold'],
  // Life used and the Dirty Shutdown Count are device lifetime counters (8.2.10.9.3.1).
  healthCounters: [],
  scanMediaResults: ALL,
  // Event records are volatile: a conventional or cold reset starts empty logs; a CXL Reset is
  // CXL.mem scoped and leaves the CXL.io mailbox's logs alone (project choice).
  eventLogs: ['conventional', 'cold'],
  firmwareSlots: [],
  // Activate FW action 1, "On the next reset (as specified in the command effects)": its CEL lists
  // cold, conventional and CXL reset (8.2.10.3.3, bits 0, 10, 11), so any of them activates it.
  stagedFirmware: ALL,
  firmwareTransfer: ALL,
  // Each Feature's current value returns to its saved value at a reset (8.2.10.6; our Features
  // declare cold-reset persistence for saved values).
  featureCurrentValues: ['conventional', 'cold'],
  featureSavedValues: [],
  // Passphrases are persistent (8.2.10.9.6); a set user passphrase locks the media again at every
  // reset, and a freeze lasts until the next one.
  passphrases: [],
  securityLockAndFreeze: ALL,
  // A sanitize that did not finish leaves the media disabled until one completes.
  mediaDisabled: [],
  // Alert thresholds set by Set Alert Configuration are not persistent (project choice): a power
  // cycle brings the defaults back.
  alertConfiguration: ['cold'],
  // The vendor debug log survives warm resets but not a power cycle.
  vendorDebugLog: ['cold'],
};

/** Device-wide state of a type 3 device (SLD or MLD) outside its LDs. */
export type Type3State = 'ldAllocations' | 'qos' | 'dynamicCapacity' | 'ldConfigSpaces' | 'ldBars' | 'fmOwnedCci';

export const TYPE3_RESET_RULES: ResetRules<Type3State> = {
  // What the FM configured (Set LD Allocations, QoS, dynamic capacity extents) survives every
  // reset, a power cycle included: r3.2 gives Set LD Allocations, the QoS setters and the DC
  // configuration commands "Configuration Change after Cold Reset" among their effects (the change
  // holds across one), and the project keeps allocation configuration and DC extents across a
  // power cycle (issue 14). Loading the topology again returns its initial values.
  ldAllocations: [],
  qos: [],
  dynamicCapacity: [],
  // PCIe config space and BARs are non-sticky registers: every reset (9.7 for CXL Reset).
  ldConfigSpaces: ALL,
  ldBars: ALL,
  // The FM-owned LD is not a host's LD: a host's CXL Reset does not reach it (9.7: other LDs
  // "must continue to operate normally").
  fmOwnedCci: ['conventional', 'cold'],
};
