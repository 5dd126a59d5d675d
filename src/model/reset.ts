// The resets a harness can apply, named as CXL r3.2 names them, and the one way every model says
// which of its state each reset clears.
//
// - `conventional`: a PCIe Conventional Reset with power kept (PERST#, hot reset, a host reboot):
//   every function's registers, CCIs and background work, and the devices' volatile state. A
//   change the CEL marks "Configuration Change after Conventional Reset" (Table 8-87 bit 10) takes
//   effect here.
// - `cxl`: CXL Reset (9.7, the DVSEC CXL Control2 Initiate CXL Reset bit) of the type 3 devices:
//   CXL.mem state, outstanding commands and non-sticky registers; persistent HDM is kept, volatile
//   HDM is cleared (the device offers CXL Reset Mem Clr). Table 8-87 bit 11 changes apply. A switch
//   has no CXL.mem state of its own and is unaffected.
// - `cold`: a power cycle (cold reset). Only what the hardware keeps without power survives:
//   persistent media, LSA, partition layout, passphrases, firmware slots, saved Features, shutdown
//   state. Changes marked "Configuration Change after Cold Reset" (bit 0) take effect here.
//
// Each model holds a rule table (src/type3/ld/reset-rules.ts, src/switch/reset-rules.ts) naming,
// for each piece of its state, the resets that clear it; its reset(kind) follows the table and
// `survivesPowerCycle()` reads the same table, so "what a device keeps across a power cycle" has
// one source.

export type ResetKind = 'conventional' | 'cxl' | 'cold';

export const RESET_KINDS: readonly ResetKind[] = ['conventional', 'cxl', 'cold'];

/** For each named piece of a model's state, the resets that clear (or apply) it; [] = kept by all. */
export type ResetRules<K extends string> = Readonly<Record<K, readonly ResetKind[]>>;

/** Whether `kind` clears `state` under `rules`. */
export function clears<K extends string>(rules: ResetRules<K>, state: K, kind: ResetKind): boolean {
  return rules[state].includes(kind);
}

/** The state a power cycle keeps: what a persistence layer has to save. */
export function survivesPowerCycle<K extends string>(rules: ResetRules<K>): K[] {
  return (Object.keys(rules) as K[]).filter((k) => !rules[k].includes('cold'));
}
