// What a fault on demand is: one kind, its target and its knobs. The same shape comes from the
// websocket (InjectFault), the CLI, a fixture step and a topology file's `faults:` list; each
// path converts to this and checkFaultSpec() answers every bad value with a message naming it.

export const FAULT_KINDS = [
  'return-code',
  'delay',
  'link-down',
  'surprise-removal',
  'ld-failure',
  'media-error',
  'stuck-doorbell',
  'mctp-drop',
  'mctp-corrupt',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(s: unknown): s is FaultKind {
  return typeof s === 'string' && (FAULT_KINDS as readonly string[]).includes(s);
}

export interface FaultSpec {
  readonly kind: FaultKind;
  /** return-code: a CCI name ('switch', 'port2.ld1', 'port2.fm'); delay, stuck-doorbell: a mailbox function. */
  readonly target?: string;
  /** return-code, delay: only this opcode (undefined: every opcode). */
  readonly opcode?: number;
  /** return-code: the return code answered (CXL r3.2 Table 8-34). */
  readonly rc?: number;
  /** Times the fault takes effect before it clears itself (undefined or 0: until cleared). */
  readonly count?: number;
  /** delay: extra virtual ms a command holds the doorbell. */
  readonly delayMs?: number;
  /** link-down, surprise-removal, ld-failure, media-error: the switch port. */
  readonly port?: number;
  /** ld-failure, media-error: the LD of the device on `port`. */
  readonly ld?: number;
  /** media-error: first DPA and length in bytes (64-byte lines; default one line). */
  readonly dpa?: bigint;
  readonly length?: bigint;
}

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Times it took effect so far. */
  readonly fired: number;
  readonly description: string;
}

/** Which fields each kind needs (the rest must be absent, so a typo is not silently ignored). */
export const FAULT_FIELDS: Record<FaultKind, readonly (keyof FaultSpec)[]> = {
  'return-code': ['target', 'opcode', 'rc', 'count'],
  delay: ['target', 'opcode', 'delayMs', 'count'],
  'link-down': ['port'],
  'surprise-removal': ['port'],
  'ld-failure': ['port', 'ld'],
  'media-error': ['port', 'ld', 'dpa', 'length'],
  'stuck-doorbell': ['target'],
  'mctp-drop': ['count'],
  'mctp-corrupt': ['count'],
};

/** Shape checks that need no system (ranges, fields that belong to the kind). */
export function checkFaultShape(s: FaultSpec): string | undefined {
  if (!isFaultKind(s.kind)) return `unknown fault kind ${JSON.stringify(s.kind)} (kinds: ${FAULT_KINDS.join(', ')})`;
  const allowed = FAULT_FIELDS[s.kind];
  for (const k of Object.keys(s) as (keyof FaultSpec)[]) {
    if (k !== 'kind' && s[k] !== undefined && !allowed.includes(k)) return `${s.kind}: field "${k}" does not apply (fields: ${allowed.join(', ')})`;
  }
  const need = (k: keyof FaultSpec): string | undefined => (s[k] === undefined ? `${s.kind}: needs "${k}"` : undefined);
  const u = (k: keyof FaultSpec, max: number): string | undefined => {
    const v = s[k];
    if (v === undefined) return undefined;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? undefined : `${s.kind}: ${k} must be a whole number in 0..${max}, got ${String(v)}`;
  };
  switch (s.kind) {
    case 'return-code':
      return need('target') ?? need('rc') ?? u('rc', 0xffff) ?? u('opcode', 0xffff) ?? u('count', 1_000_000);
    case 'delay':
      if (need('target') ?? need('delayMs')) return need('target') ?? need('delayMs');
      if (typeof s.delayMs !== 'number' || !Number.isFinite(s.delayMs) || s.delayMs <= 0 || s.delayMs > 3_600_000) return `delay: delayMs must be in (0, 3600000], got ${String(s.delayMs)}`;
      return u('opcode', 0xffff) ?? u('count', 1_000_000);
    case 'link-down':
    case 'surprise-removal':
      return need('port') ?? u('port', 255);
    case 'ld-failure':
      return need('port') ?? need('ld') ?? u('port', 255) ?? u('ld', 15);
    case 'media-error':
      if (need('port') ?? need('ld') ?? need('dpa')) return need('port') ?? need('ld') ?? need('dpa');
      if ((s.dpa ?? 0n) % 64n !== 0n || (s.length ?? 64n) % 64n !== 0n || (s.length ?? 64n) <= 0n) return 'media-error: dpa and length must be multiples of 64 bytes (poison granularity), length > 0';
      return u('port', 255) ?? u('ld', 15);
    case 'stuck-doorbell':
      return need('target');
    case 'mctp-drop':
    case 'mctp-corrupt':
      return u('count', 1_000_000);
  }
}

export function describeFault(s: FaultSpec): string {
  const times = s.count ? ` (${s.count} time${s.count === 1 ? '' : 's'})` : '';
  const op = s.opcode === undefined ? 'every opcode' : `opcode 0x${s.opcode.toString(16).padStart(4, '0')}`;
  switch (s.kind) {
    case 'return-code':
      return `${s.target} answers rc 0x${(s.rc ?? 0).toString(16)} to ${op}${times}`;
    case 'delay':
      return `${s.target} holds the doorbell ${s.delayMs} ms longer for ${op}${times}`;
    case 'link-down':
      return `port ${s.port} link down`;
    case 'surprise-removal':
      return `port ${s.port} device surprise-removed`;
    case 'ld-failure':
      return `port ${s.port} LD ${s.ld} failed`;
    case 'media-error':
      return `port ${s.port} LD ${s.ld} media error at DPA 0x${(s.dpa ?? 0n).toString(16)} (${s.length ?? 64n} bytes)`;
    case 'stuck-doorbell':
      return `${s.target} doorbell stuck`;
    case 'mctp-drop':
      return `MCTP response packets dropped${times}`;
    case 'mctp-corrupt':
      return `MCTP response packets corrupted${times}`;
  }
}
