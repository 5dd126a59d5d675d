// Get Security State bits (CXL r3.2 8.2.9.9.6.1, Table 8-153). No passphrase commands are
// modelled; the state is readable and gates Sanitize/Secure Erase.
export const SecurityState = {
  UserPassphraseSet: 1 << 0,
  MasterPassphraseSet: 1 << 1,
  Locked: 1 << 2,
  Frozen: 1 << 3,
  UserPassphraseAttemptCountReached: 1 << 4,
  MasterPassphraseAttemptCountReached: 1 << 5,
} as const;
