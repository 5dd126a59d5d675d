// Device hints reach whoever sent the command beside the return code, never through the mailbox
// registers (the spec's interface has no room for them): the CCI puts the hint on its command
// trace, and the sender watches the traces while its command runs. The innermost CCI's trace
// comes first (a tunnel's inner command completes before the outer one), so the first hint whose
// return code is the final one is the device's reason.

import type { CommandTrace } from '../cci/cci.js';

export interface HintSource {
  readonly events: { on(name: 'command', fn: (t: CommandTrace) => void): () => void };
}

/** Run `submit`, and return its outcome with the hint a CCI gave for the same return code. */
export async function withHint<T extends { readonly refused: boolean; readonly rc?: number }>(source: HintSource, submit: () => Promise<T>): Promise<{ outcome: T; hint?: string }> {
  const traces: CommandTrace[] = [];
  const off = source.events.on('command', (t) => {
    if (t.hint !== undefined) traces.push(t);
  });
  try {
    const outcome = await submit();
    const rc = outcome.refused ? undefined : outcome.rc;
    const hit = rc === undefined || rc === 0 ? undefined : traces.find((t) => t.rc === rc);
    return hit?.hint !== undefined ? { outcome, hint: hit.hint } : { outcome };
  } finally {
    off();
  }
}
