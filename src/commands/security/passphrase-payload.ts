// Payload layouts shared by the passphrase commands (CXL r3.2 8.2.10.9.6.2-8.2.10.9.6.6). Each
// starts with a Passphrase Type byte and 31 reserved bytes, then 32-byte passphrases:
//   Set Passphrase            0 u8 type, 1 rsvd[31], 0x20 current[32], 0x40 new[32]   (0x60 bytes)
//   Disable Passphrase        0 u8 type, 1 rsvd[31], 0x20 current[32]                 (0x40 bytes)
//   Passphrase Secure Erase   0 u8 type, 1 rsvd[31], 0x20 passphrase[32]              (0x40 bytes)
//   Unlock                    0 current[32]                                           (0x20 bytes)
// A type other than master (0) or user (1) is Invalid Input.

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { requestCodec } from '../memdev/codecs.js';
import { PASSPHRASE_BYTES, PassphraseType } from '../../type3/ld/security.js';
import { ByteWriter } from '../../util/bytes.js';

export interface TypedPassphrase {
  readonly type: number;
  readonly passphrase: Uint8Array;
}

export interface SetPassphraseRequest {
  readonly type: number;
  readonly current: Uint8Array;
  readonly next: Uint8Array;
}

const PASS_AT = 0x20;

function validType(type: number): boolean {
  return type === PassphraseType.Master || type === PassphraseType.User;
}

/** Disable Passphrase and Passphrase Secure Erase: type + one passphrase. */
export const typedPassphraseCodec: Codec<TypedPassphrase> = requestCodec<TypedPassphrase>(
  (r) => {
    const type = r.u8(0);
    if (!validType(type)) return invalid();
    return decoded({ type, passphrase: r.slice(PASS_AT, PASSPHRASE_BYTES) });
  },
  (v) => new ByteWriter(PASS_AT + PASSPHRASE_BYTES).u8(0, v.type).set(PASS_AT, v.passphrase).bytes,
  {
    fields: [
      { name: 'type', spec: 'Passphrase Type', at: 0, type: 'u8', enum: { 0: 'Master passphrase', 1: 'User passphrase' }, max: 1 },
      { name: 'passphrase', spec: 'Passphrase', at: PASS_AT, type: 'bytes', length: PASSPHRASE_BYTES },
    ],
  },
);

export const setPassphraseCodec: Codec<SetPassphraseRequest> = requestCodec<SetPassphraseRequest>(
  (r) => {
    const type = r.u8(0);
    if (!validType(type)) return invalid();
    return decoded({ type, current: r.slice(PASS_AT, PASSPHRASE_BYTES), next: r.slice(PASS_AT + PASSPHRASE_BYTES, PASSPHRASE_BYTES) });
  },
  (v) =>
    new ByteWriter(PASS_AT + 2 * PASSPHRASE_BYTES).u8(0, v.type).set(PASS_AT, v.current).set(PASS_AT + PASSPHRASE_BYTES, v.next).bytes,
  {
    fields: [
      { name: 'type', spec: 'Passphrase Type', at: 0, type: 'u8', enum: { 0: 'Master passphrase', 1: 'User passphrase' }, max: 1 },
      { name: 'current', spec: 'Current Passphrase', at: PASS_AT, type: 'bytes', length: PASSPHRASE_BYTES },
      { name: 'next', spec: 'New Passphrase', at: PASS_AT + PASSPHRASE_BYTES, type: 'bytes', length: PASSPHRASE_BYTES },
    ],
  },
);

/** Unlock: the passphrase alone. */
export const passphraseCodec: Codec<Uint8Array> = requestCodec<Uint8Array>(
  (r) => decoded(r.slice(0, PASSPHRASE_BYTES)),
  (v) => new ByteWriter(PASSPHRASE_BYTES).set(0, v).bytes,
  { fields: [{ name: 'passphrase', spec: 'Current Passphrase', at: 0, type: 'bytes', length: PASSPHRASE_BYTES }], unwrap: 'passphrase' }
);
