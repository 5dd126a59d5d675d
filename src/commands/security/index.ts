// Persistent Memory Data-at-rest Security commands an LD answers (CXL r3.2 8.2.10.9.6, opcodes
// 4501h-4505h). Get Security State (4500h) reads the same state and lives with the memory-device
// set (src/commands/memdev/get-security-state.ts).

import type { CommandDef } from '../../cci/command.js';
import type { LogicalDevice } from '../../type3/logical-device.js';
import { disablePassphraseCommand } from './disable-passphrase.js';
import { freezeSecurityStateCommand } from './freeze-security-state.js';
import { passphraseSecureEraseCommand } from './passphrase-secure-erase.js';
import { setPassphraseCommand } from './set-passphrase.js';
import { unlockCommand } from './unlock.js';

export { disablePassphraseCommand, freezeSecurityStateCommand, passphraseSecureEraseCommand, setPassphraseCommand, unlockCommand };

export const securityCommands: readonly CommandDef<LogicalDevice>[] = [
  setPassphraseCommand,
  disablePassphraseCommand,
  unlockCommand,
  freezeSecurityStateCommand,
  passphraseSecureEraseCommand,
];
