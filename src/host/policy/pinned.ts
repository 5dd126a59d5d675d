// Opcodes whose class is pinned, whatever a device's CEL claims: a lying CEL cannot make Sanitize
// safe. Each entry says why. The first group is Linux's raw-command deny list
// (drivers/cxl/core/mbox.c cxl_disabled_raw_commands and the security sets, reference
// linux-driver-fwctl-mmpt.md §2.2); the second is the fabric-management set of the 2024
// "Restricting userspace interfaces for CXL fabric management" RFC (§4.2): commands whose blast
// radius is another host. The last group are commands whose CEL effects, read straight from the
// spec, are weaker than what they do to other users of the same CCI.

import type { CommandClass } from './scopes.js';

export interface PinnedOpcode {
  readonly class: CommandClass;
  readonly reason: string;
}

const D: CommandClass = 'destructive';

export const PINNED_OPCODES: ReadonlyMap<number, PinnedOpcode> = new Map<number, PinnedOpcode>([
  // Cross-caller effects (issue 14): a command that stops what another caller started needs that
  // caller's scope. Every background command a CCI here runs (Sanitize, Secure Erase, Media
  // Operations, Scan Media, Transfer FW, Bind/Unbind) is destructive, so stopping one is too: its
  // CEL effects are 0 because it changes nothing of its own (CXL r3.2 8.2.10.1.5), but an
  // aborted Sanitize leaves the media disabled until a full-scope Sanitize runs again.
  [0x0005, { class: D, reason: "Request Abort Background Operation stops a background command another caller started, all of which need full scope" }],
  // Linux cxl_disabled_raw_commands
  [0x0202, { class: D, reason: 'Activate FW needs coordinated transaction timeouts at the root bridge' }],
  [0x4101, { class: D, reason: 'Set Partition Info can change the memory map under live HDM decoders' }],
  [0x4103, { class: D, reason: 'Set LSA writes the label area the host kernel caches' }],
  [0x4204, { class: D, reason: 'Set Shutdown State: the caller cannot promise no writes after "clean"' }],
  [0x4300, { class: D, reason: 'Get Poison List: the host kernel owns the media error list' }],
  [0x4301, { class: D, reason: 'Inject Poison needs kernel orchestration' }],
  [0x4302, { class: D, reason: 'Clear Poison needs kernel orchestration' }],
  [0x4304, { class: D, reason: 'Scan Media: the host kernel owns the media error list' }],
  [0x4305, { class: D, reason: 'Get Scan Media Results: the host kernel owns the media error list' }],
  // Fabric management: another host's memory or link goes away
  [0x5102, { class: D, reason: 'Physical Port Control resets or holds a link in PERST under a live host' }],
  [0x5105, { class: D, reason: 'Set Domain Validation SV sets a once-only secret a host validates its domain with' }],
  [0x5203, { class: D, reason: "Generate AER Event injects an error into a host's hierarchy; the host may reset the link" }],
  [0x5201, { class: D, reason: 'Bind vPPB hot-adds a device to another host' }],
  [0x5202, { class: D, reason: 'Unbind vPPB hot-removes a device from another host' }],
  [0x5402, { class: D, reason: 'Set LD Allocations resizes memory other hosts may be using' }],
  [0x5605, { class: D, reason: 'Initiate Dynamic Capacity Release can pull memory from a host' }],
  [0x4803, { class: D, reason: 'Release Dynamic Capacity gives up memory a host may be using' }],
  // Spec effects weaker than the blast radius. Bind/Unbind vPPB (above) list only Background
  // Operation in r3.2, which classifies destructive anyway; their pin stays so a CEL that drops
  // that bit cannot make a hot-add safe.
  [0x0004, { class: 'write', reason: 'Set Response Message Limit (spec effects: none) shrinks every later response of this CCI, for every client' }],
]);

/**
 * Whole command sets pinned destructive (Linux cxl_is_security_command): they change security
 * state or pass secrets in clear text, and belong to the keys ABI, not a passthrough.
 */
export const PINNED_SETS: ReadonlyMap<number, string> = new Map([
  [0x44, "Sanitize and Media Operations erase the media's user data"],
  [0x45, 'Persistent Memory Data-at-rest Security passes secrets in clear text'],
  [0x46, 'Security Passthrough carries opaque security protocol traffic'],
]);

/** CXL r3.2 8.2.10: opcodes C000h-FFFFh are vendor specific; a filter cannot know what they do. */
export function isVendorOpcode(opcode: number): boolean {
  return opcode >= 0xc000 && opcode <= 0xffff;
}

export function pinnedFor(opcode: number): PinnedOpcode | undefined {
  const one = PINNED_OPCODES.get(opcode);
  if (one) return one;
  const set = PINNED_SETS.get(opcode >> 8);
  return set ? { class: 'destructive', reason: set } : undefined;
}
