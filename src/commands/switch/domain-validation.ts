// Shared payload pieces of the domain validation commands (CXL r3.2 7.6.7.1.5-7.6.7.1.8): a
// host sets a secret value (a UUID naming its hierarchy) on its own VCS once; the FM reads back
// whether, and what, each VCS holds.

import type { Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';

export const SV_SIZE = 16;

export const SecretValueState = {
  NotSet: 0x00,
  Set: 0x01,
} as const;

export const secretValueStateCodec: Codec<number> = {
  schema: { fields: [{ name: 'state', spec: 'Secret Value State', at: 0, type: 'u8', enum: { 0: 'Not set', 1: 'Set' } }], unwrap: 'state' },
  decode: (b) => (b.length === 1 ? { ok: true, value: b[0] ?? 0 } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (v) => Uint8Array.of(v & 0xff),
};

export const vcsIdCodec: Codec<number> = {
  schema: { fields: [{ name: 'vcsId', spec: 'VCS ID', at: 0, type: 'u8' }], unwrap: 'vcsId' },
  decode: (b) => (b.length === 1 ? { ok: true, value: b[0] ?? 0 } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (v) => Uint8Array.of(v & 0xff),
};

export const secretValueCodec: Codec<Uint8Array> = {
  schema: { fields: [{ name: 'secretValue', spec: 'Secret Value', at: 0, type: 'bytes', length: SV_SIZE }], unwrap: 'secretValue' },
  decode: (b) => (b.length === SV_SIZE ? { ok: true, value: b.slice() } : { ok: false, rc: RC.InvalidPayloadLength }),
  encode: (v) => v.slice(0, SV_SIZE),
};
