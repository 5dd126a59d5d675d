// Command class from CEL effect bits (CXL r3.2 Table 8-87), the way fwctl's CXL effects gate reads
// them (reference linux-driver-fwctl-mmpt.md §3.3), extended from Set Feature to every command.

import { Effect, EFFECT_RESERVED_MASK, IMMEDIATE_CHANGE_MASK, RESET_CHANGE_MASK } from '../../spec/effects.js';
import type { CommandClass } from './scopes.js';

export interface Classification {
  readonly class: CommandClass;
  readonly why: string;
}

export function classifyEffects(effects: number): Classification {
  if (effects & EFFECT_RESERVED_MASK) {
    return { class: 'destructive', why: `reserved effect bits 15:12 set (0x${effects.toString(16)}): malformed CEL entry` };
  }
  if (effects & Effect.DataChangeImmediate) return { class: 'destructive', why: 'immediate data change' };
  if (effects & Effect.SecurityStateChange) return { class: 'destructive', why: 'security state change' };
  if (effects & Effect.BackgroundOperation) return { class: 'destructive', why: 'background operation' };
  if (effects & IMMEDIATE_CHANGE_MASK) {
    const what = effects & Effect.ConfigChangeImmediate ? 'configuration' : effects & Effect.PolicyChangeImmediate ? 'policy' : 'log';
    return { class: 'write', why: `immediate ${what} change` };
  }
  if (effects & RESET_CHANGE_MASK) return { class: 'configuration', why: 'configuration change after reset' };
  return { class: 'read-only', why: 'no effects' };
}

/**
 * fwctl's rule for Set Feature (drivers/cxl/core/features.c), from the Feature's own Set Feature
 * Effects in its Supported Feature Entry. Returns the class, or a refusal reason.
 */
export function classifySetFeature(effects: number, changeable: boolean): Classification | { refuse: string } {
  if (!changeable) return { refuse: 'the Feature is not changeable' };
  if (effects & EFFECT_RESERVED_MASK) return { refuse: 'the Feature reports reserved effect bits' };
  if (effects & Effect.BackgroundOperation) return { refuse: 'setting the Feature runs in the background' };
  if (!(effects & (IMMEDIATE_CHANGE_MASK | RESET_CHANGE_MASK))) {
    return { refuse: 'the Feature reports no effects at all (a device bug, per fwctl)' };
  }
  if (effects & IMMEDIATE_CHANGE_MASK) return { class: 'destructive', why: 'Feature with immediate effects' };
  return { class: 'write', why: 'Feature changes configuration after reset' };
}
