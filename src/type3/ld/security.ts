// Persistent Memory Data-at-rest Security state of one LD (CXL r3.2 8.2.10.9.6): a user and a
// master passphrase, the lock a user passphrase puts on the persistent media at every
// conventional reset, a freeze that blocks changes until the next reset, and per-passphrase
// attempt counters. Each transition is one method that checks everything first and returns the
// command's return code; the only state an error changes is the attempt count the spec asks a
// wrong passphrase to consume.

import { RC } from '../../spec/return-codes.js';
import { bytesEqual } from '../../util/bytes.js';

// Get Security State bits (CXL r3.2 8.2.10.9.6.1, Table 8-153).
export const SecurityState = {
  UserPassphraseSet: 1 << 0,
  MasterPassphraseSet: 1 << 1,
  Locked: 1 << 2,
  Frozen: 1 << 3,
  UserPassphraseAttemptCountReached: 1 << 4,
  MasterPassphraseAttemptCountReached: 1 << 5,
} as const;

/** Passphrase Type field of Set/Disable Passphrase and Passphrase Secure Erase. */
export const PassphraseType = { Master: 0, User: 1 } as const;

/** Passphrases are 32 bytes (CXL r3.2 8.2.10.9.6.2). */
export const PASSPHRASE_BYTES = 32;

/**
 * Wrong passphrases allowed before the attempt-count-reached bit sets. The spec leaves the number
 * to the device; 3 is what the Linux driver's mock device uses, so its tests transfer.
 */
export const PASSPHRASE_ATTEMPT_LIMIT = 3;

type Which = 'user' | 'master';

const BITS: Record<Which, { set: number; limit: number }> = {
  user: { set: SecurityState.UserPassphraseSet, limit: SecurityState.UserPassphraseAttemptCountReached },
  master: { set: SecurityState.MasterPassphraseSet, limit: SecurityState.MasterPassphraseAttemptCountReached },
};

function whichOf(type: number): Which {
  return type === PassphraseType.Master ? 'master' : 'user';
}

export class SecurityModel {
  /**
   * The Get Security State value. Public so tests and fixtures can put an LD in a state directly;
   * a passphrase that is flagged as set but was never given reads as 32 zero bytes.
   */
  state = 0;
  private readonly pass: Record<Which, Uint8Array> = {
    user: new Uint8Array(PASSPHRASE_BYTES),
    master: new Uint8Array(PASSPHRASE_BYTES),
  };
  private readonly attempts: Record<Which, number> = { user: 0, master: 0 };

  get locked(): boolean {
    return (this.state & SecurityState.Locked) !== 0;
  }

  get frozen(): boolean {
    return (this.state & SecurityState.Frozen) !== 0;
  }

  isSet(type: number): boolean {
    return (this.state & BITS[whichOf(type)].set) !== 0;
  }

  /**
   * Set Passphrase (CXL r3.2 8.2.10.9.6.2). `current` is checked only when that passphrase is
   * already set. The master passphrase may only be set while no user passphrase is (the spec's
   * "security disabled" state). A locked LD must be unlocked first: changing the user passphrase
   * of media nobody has unlocked would let a caller with only the old passphrase skip Unlock's
   * attempt accounting.
   */
  setPassphrase(type: number, current: Uint8Array, next: Uint8Array): number {
    const w = whichOf(type);
    if (this.frozen || this.limitReached(w)) return RC.InvalidSecurityState;
    if (w === 'master' && this.isSet(PassphraseType.User)) return RC.InvalidSecurityState;
    if (w === 'user' && this.locked) return RC.InvalidSecurityState;
    if (this.isSet(type) && !this.matches(w, current)) return this.wrong(w);
    this.pass[w] = next.slice();
    this.state |= BITS[w].set;
    this.attempts[w] = 0;
    return RC.Success;
  }

  /**
   * Disable Passphrase (CXL r3.2 8.2.10.9.6.3). Disabling the user passphrase also ends a lock:
   * the caller has just proven it holds the passphrase Unlock would ask for.
   */
  disablePassphrase(type: number, current: Uint8Array): number {
    const w = whichOf(type);
    if (this.frozen || this.limitReached(w) || !this.isSet(type)) return RC.InvalidSecurityState;
    if (!this.matches(w, current)) return this.wrong(w);
    this.pass[w] = new Uint8Array(PASSPHRASE_BYTES);
    this.state &= ~BITS[w].set;
    if (w === 'user') this.state &= ~SecurityState.Locked;
    this.attempts[w] = 0;
    return RC.Success;
  }

  /** Unlock (CXL r3.2 8.2.10.9.6.4): only a locked LD, with the user passphrase. */
  unlock(current: Uint8Array): number {
    if (this.frozen || this.limitReached('user') || !this.isSet(PassphraseType.User) || !this.locked) {
      return RC.InvalidSecurityState;
    }
    if (!this.matches('user', current)) return this.wrong('user');
    this.state &= ~SecurityState.Locked;
    this.attempts.user = 0;
    return RC.Success;
  }

  /** Freeze Security State (CXL r3.2 8.2.10.9.6.5): idempotent; lasts until the next reset. */
  freeze(): number {
    this.state |= SecurityState.Frozen;
    return RC.Success;
  }

  /**
   * The check Passphrase Secure Erase (CXL r3.2 8.2.10.9.6.6) makes before it starts. A master
   * erase needs a master passphrase (8.2.10.9.6.3: once the master passphrase is disabled, a
   * master Passphrase Secure Erase is Invalid Input). A user erase with no user passphrase set
   * ignores the passphrase field and erases like Secure Erase.
   */
  authorizeSecureErase(type: number, passphrase: Uint8Array): number {
    const w = whichOf(type);
    if (this.frozen || this.limitReached(w)) return RC.InvalidSecurityState;
    if (!this.isSet(type)) return w === 'master' ? RC.InvalidInput : RC.Success;
    if (!this.matches(w, passphrase)) return this.wrong(w);
    this.attempts[w] = 0;
    return RC.Success;
  }

  /** After a passphrase secure erase: the keys are new, so the user passphrase and lock are gone. */
  secureErased(): void {
    this.pass.user = new Uint8Array(PASSPHRASE_BYTES);
    this.state &= ~(SecurityState.UserPassphraseSet | SecurityState.Locked);
    this.attempts.user = 0;
  }

  /**
   * Conventional reset: a set user passphrase locks the media again (8.2.10.9.6.2); the freeze and
   * the attempt counts last only until a reset.
   */
  reset(): void {
    this.state &= ~(SecurityState.Frozen | SecurityState.UserPassphraseAttemptCountReached | SecurityState.MasterPassphraseAttemptCountReached);
    if (this.state & SecurityState.UserPassphraseSet) this.state |= SecurityState.Locked;
    this.attempts.user = 0;
    this.attempts.master = 0;
  }

  /**
   * What survives a power cycle (src/state/persistent.ts): which passphrases are set and their
   * values. Lock, freeze and attempt counts are not kept; the power-up rule (reset) derives the
   * lock from a set user passphrase.
   */
  persistentState(): { readonly userSet: boolean; readonly masterSet: boolean; readonly user: Uint8Array; readonly master: Uint8Array } {
    return {
      userSet: this.isSet(PassphraseType.User),
      masterSet: this.isSet(PassphraseType.Master),
      user: this.pass.user.slice(),
      master: this.pass.master.slice(),
    };
  }

  /** Put back what persistentState() returned (lengths checked by the caller). */
  restorePersistent(s: { readonly userSet: boolean; readonly masterSet: boolean; readonly user: Uint8Array; readonly master: Uint8Array }): void {
    this.pass.user = s.user.slice();
    this.pass.master = s.master.slice();
    this.state = (s.userSet ? SecurityState.UserPassphraseSet : 0) | (s.masterSet ? SecurityState.MasterPassphraseSet : 0);
    this.attempts.user = 0;
    this.attempts.master = 0;
  }

  private limitReached(w: Which): boolean {
    return (this.state & BITS[w].limit) !== 0;
  }

  private matches(w: Which, candidate: Uint8Array): boolean {
    return bytesEqual(this.pass[w], candidate);
  }

  /** A wrong passphrase: one attempt used, the limit bit set when they run out. */
  private wrong(w: Which): number {
    this.attempts[w] += 1;
    if (this.attempts[w] >= PASSPHRASE_ATTEMPT_LIMIT) this.state |= BITS[w].limit;
    return RC.IncorrectPassphrase;
  }
}
