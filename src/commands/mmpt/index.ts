import { mmptReceiveMessageCommand } from './receive-message.js';
import { mmptSendMessageCommand, type MmptDevice } from './send-message.js';
import type { CommandDef } from '../../cci/command.js';

export { mmptReceiveMessageCommand, mmptSendMessageCommand };
export * from './mmpt-message.js';
export { mmptMessageCodec, MMPT_RECEIVE_MESSAGE, MMPT_SEND_MESSAGE, type MmptDevice, type MmptMessage } from './send-message.js';

/** MMB commands of the MMPT capability, carried by the switch mailbox CCI. */
export const mmptCommands: readonly CommandDef<MmptDevice>[] = [mmptSendMessageCommand, mmptReceiveMessageCommand];
