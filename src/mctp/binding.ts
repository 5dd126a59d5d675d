// Which CXL commands each MCTP message type carries, in one place.
//
// DSP0234 (type 07h, CXL FM API) carries the FM-API command sets 51h-56h; DSP0281 (type 08h, CXL
// CCI) carries the generic and memory-device sets. CXL r3.2 7.6.6.1 has the fabric manager issue
// Identify first, then Set Response Message Limit, on whatever it discovered over MCTP, and a
// background FM-API command (Bind vPPB) is followed with Background Operation Status: so the
// Information and Status set (00h: 0001h-0005h) is accepted on both types. Spec-silent choice: an
// FM-API-only client (Jackrabbit Labs' `jack` sends everything as 07h) can discover and follow the
// switch without a second binding; every other generic set stays on 08h. The answer goes back on
// the request's type.

import { isFmApiOpcode } from '../commands/mmpt/mmpt-message.js';

export const MCTP_TYPE_FM_API = 0x07;
export const MCTP_TYPE_CXL_CCI = 0x08;

/** CXL r3.2 8.2.10.1: Identify .. Request Abort Background Operation. */
function isInformationAndStatus(opcode: number): boolean {
  return opcode >= 0x0001 && opcode <= 0x0005;
}

/** Whether an MCTP message of `type` may carry `opcode`; otherwise the answer is Unsupported. */
export function carries(type: number, opcode: number): boolean {
  if (isInformationAndStatus(opcode)) return type === MCTP_TYPE_FM_API || type === MCTP_TYPE_CXL_CCI;
  return type === MCTP_TYPE_FM_API ? isFmApiOpcode(opcode) : type === MCTP_TYPE_CXL_CCI && !isFmApiOpcode(opcode);
}
