// CXL r3.2 8.2.10.5.2.1 Table 8-87 "CEL Entry Structure", Command Effect field. A project
// decision: we follow the spec's bit numbering, not QEMU's (which is shifted by one from bit 7 up)
// nor Linux's uapi name for bit 7.

export const Effect = {
  ConfigChangeColdReset: 1 << 0,
  ConfigChangeImmediate: 1 << 1,
  DataChangeImmediate: 1 << 2,
  PolicyChangeImmediate: 1 << 3,
  LogChangeImmediate: 1 << 4,
  SecurityStateChange: 1 << 5,
  BackgroundOperation: 1 << 6,
  SecondaryMailboxSupported: 1 << 7,
  RequestAbortSupported: 1 << 8,
  /** Bits 11:10 are valid (the two reset-scoped config change bits below). */
  ResetBitsValid: 1 << 9,
  ConfigChangeConventionalReset: 1 << 10,
  ConfigChangeCxlReset: 1 << 11,
} as const;

/** Bits 15:12 are reserved; a CEL that sets them is malformed. */
export const EFFECT_RESERVED_MASK = 0xf000;

export const IMMEDIATE_CHANGE_MASK =
  Effect.ConfigChangeImmediate |
  Effect.DataChangeImmediate |
  Effect.PolicyChangeImmediate |
  Effect.LogChangeImmediate;

/**
 * "Configuration Change after Cold Reset", "... after Conventional Reset" and "... after CXL
 * Reset" together, as most configuration commands list them. Bit 9 (CEL[11:10] Valid) goes with
 * them: a reader that honours Table 8-87 ignores bits 11:10 unless bit 9 is set, so listing the two
 * reset bits without it would hide them.
 */
export const CONFIG_AFTER_ANY_RESET =
  Effect.ConfigChangeColdReset | Effect.ResetBitsValid | Effect.ConfigChangeConventionalReset | Effect.ConfigChangeCxlReset;

export const RESET_CHANGE_MASK =
  Effect.ConfigChangeColdReset | Effect.ConfigChangeConventionalReset | Effect.ConfigChangeCxlReset;

const NAMES: [number, string][] = [
  [Effect.ConfigChangeColdReset, 'config-change-cold-reset'],
  [Effect.ConfigChangeImmediate, 'config-change-immediate'],
  [Effect.DataChangeImmediate, 'data-change-immediate'],
  [Effect.PolicyChangeImmediate, 'policy-change-immediate'],
  [Effect.LogChangeImmediate, 'log-change-immediate'],
  [Effect.SecurityStateChange, 'security-state-change'],
  [Effect.BackgroundOperation, 'background-operation'],
  [Effect.SecondaryMailboxSupported, 'secondary-mailbox-supported'],
  [Effect.RequestAbortSupported, 'request-abort-supported'],
  [Effect.ResetBitsValid, 'reset-bits-valid'],
  [Effect.ConfigChangeConventionalReset, 'config-change-conventional-reset'],
  [Effect.ConfigChangeCxlReset, 'config-change-cxl-reset'],
];

export function effectNames(effects: number): string[] {
  return NAMES.filter(([bit]) => (effects & bit) !== 0).map(([, n]) => n);
}
