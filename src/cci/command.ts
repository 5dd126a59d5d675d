// The command table entry. One entry per opcode, one file per entry (src/commands/**): the entry
// carries everything the dispatcher, the Command Effects Log and the host driver's policy need,
// so none of them can drift from what is implemented (CXL r3.2 8.2.10.5.2.1: the CEL lists every
// supported opcode with its effects).

import { RC } from '../spec/return-codes.js';
import type { CciContext } from './context.js';
import { EMPTY_SCHEMA, type PayloadSchema } from './schema.js';

/** A decoder result: a value, or the return code the command completes with. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; rc: number };

/** Pure payload codec. `decode` never throws on hostile bytes; it returns a return code. */
export interface Codec<T> {
  decode(bytes: Uint8Array): Decoded<T>;
  encode(value: T): Uint8Array;
  /**
   * The payload's fields by name (src/cci/schema.ts). A codec shared by several commands carries
   * it once; a command may override it with its own `fields`.
   */
  readonly schema?: PayloadSchema;
}

/**
 * Input length rule, checked by the dispatcher before the decoder runs (CXL r3.2 8.2.10: a payload
 * length that does not match the command's definition completes with Invalid Payload Length).
 */
export type InputRule = { fixed: number } | { min: number; max?: number };

/** Work a command leaves running after it returns Background Command Started (CXL r3.2 8.2.8.4.7). */
export interface BackgroundJob {
  /** Total virtual run time. Progress is reported as elapsed / duration. */
  readonly durationMs: number;
  /** Runs when the time is up: the state change of the command happens here. Returns the final code. */
  complete(): number;
  /**
   * Runs when Request Abort Background Operation or a reset stops the job early, with the share of
   * the work done (0..1, the same share its percentage reports).
   */
  abort?(doneFraction: number): void;
}

export type CommandResult<TRes> =
  // A success may carry a hint too: a tunnel succeeds while the command it carried failed, and the
  // inner CCI's reason rides out with the outer response (src/host/hints.ts).
  | { rc: typeof RC.Success; value: TRes; vendorStatus?: number; hint?: string }
  | { rc: number; value?: undefined; vendorStatus?: number; hint?: string }
  | { background: BackgroundJob };

export interface CommandContext<D> {
  /** The device model the command acts on (switch, type 3 LD, FM-owned LD...). */
  readonly device: D;
  /** The CCI that is running the command: clock, limits, background state, CEL. */
  readonly cci: CciContext;
}

export interface CommandDef<D = unknown, TReq = unknown, TRes = unknown> {
  readonly opcode: number;
  /** The spec's name for the command. */
  readonly name: string;
  /** Where the spec defines it, e.g. "CXL r3.2 8.2.10.1.1". */
  readonly spec: string;
  readonly input: InputRule;
  /** CEL effect bits (src/spec/effects.ts); background and abort support are read from here. */
  readonly effects: number;
  /** The command needs the media: it completes with Media Disabled while media is disabled. */
  readonly requiresMedia?: boolean;
  readonly request: Codec<TReq>;
  readonly response: Codec<TRes>;
  /** Field schemas for this command, when they differ from its codecs' own `schema`. */
  readonly fields?: { readonly request?: PayloadSchema; readonly response?: PayloadSchema };
  // Method syntax on purpose: a table of differently typed commands must fit one array type.
  handle(req: TReq, ctx: CommandContext<D>): CommandResult<TRes>;
}

/** Identity helper that keeps each command file's request/response types checked. */
export function defineCommand<D, TReq, TRes>(def: CommandDef<D, TReq, TRes>): CommandDef<D, TReq, TRes> {
  return def;
}

// --- small codec building blocks ----------------------------------------------------------------

/** The empty payload: decodes anything the input rule let through, encodes to zero bytes. */
export const emptyCodec: Codec<void> = {
  decode: () => ({ ok: true, value: undefined }),
  encode: () => new Uint8Array(0),
  schema: EMPTY_SCHEMA,
};

/** Raw bytes, for commands whose payload is opaque (log data, LSA data, embedded messages). */
export const rawCodec: Codec<Uint8Array> = {
  decode: (bytes) => ({ ok: true, value: bytes }),
  encode: (value) => value,
  schema: { fields: [{ name: 'data', spec: 'Data', at: 0, type: 'bytes', length: 'rest', maxLength: 64 }], unwrap: 'data' },
};

/** The request schema of a command: its own, else its codec's (undefined when it has none). */
export function requestSchema(def: CommandDef): PayloadSchema | undefined {
  return def.fields?.request ?? def.request.schema;
}

/** The response schema of a command: its own, else its codec's (undefined when it has none). */
export function responseSchema(def: CommandDef): PayloadSchema | undefined {
  return def.fields?.response ?? def.response.schema;
}

export function ok<T>(value: T): CommandResult<T> {
  return { rc: RC.Success, value };
}

/** Success with the hint of a command it carried (a tunnel whose inner command failed). */
export function okWithHint<T>(value: T, hint: string | undefined): CommandResult<T> {
  return hint === undefined ? { rc: RC.Success, value } : { rc: RC.Success, value, hint };
}

export function fail(rc: number, vendorStatus?: number): CommandResult<never> {
  return vendorStatus === undefined ? { rc } : { rc, vendorStatus };
}

/**
 * A failure with the reason the model knows ("vPPB 1 of VCS 0 is already bound"). The hint
 * travels beside the return code to whoever sent the command; rc and payload are unchanged.
 */
export function failWithHint(rc: number, hint: string | undefined): CommandResult<never> {
  return hint === undefined ? { rc } : { rc, hint };
}

export function invalid<T>(rc: number = RC.InvalidInput): Decoded<T> {
  return { ok: false, rc };
}

export function decoded<T>(value: T): Decoded<T> {
  return { ok: true, value };
}
