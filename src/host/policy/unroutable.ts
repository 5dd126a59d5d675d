// The answer to a tunnel the filter cannot follow because nothing answers at its route (an empty,
// disabled or non-CXL port, an LD that does not exist): the filter has no CEL to check the carried
// command against, so the request is not submitted, and the caller gets what the device itself
// answers for it rather than a policy refusal. The CCI that cannot route the last hop fails its
// Tunnel Management Command with Invalid Input (CXL r3.2 7.6.7.3.1), inside a successful
// response of each tunnel above it. MCTP and the host driver both answer with this.

import { CATEGORY_RESPONSE, encodeCciMessage } from '../../cci/message.js';
import { decodeTunnelRequest, encodeTunnelResponse, TUNNEL_OPCODE } from '../../commands/tunnel/tunnel-payload.js';
import { RC } from '../../spec/return-codes.js';

/**
 * The whole response message (spec form) to an unroutable tunnel: `tag` and `payload` are the
 * outer Tunnel Management request's, `depth` the route length at which nothing answered.
 */
export function unroutableReply(tag: number, payload: Uint8Array, depth: number): Uint8Array {
  // tags[k]: the tag of the request the CCI at level k answers (0 is the switch).
  const tags = [tag];
  let p = payload;
  for (let k = 1; k < depth; k++) {
    const t = decodeTunnelRequest(p);
    if (!t.ok) break;
    tags.push(t.value.message.tag);
    p = t.value.message.payload;
  }
  let msg = encodeCciMessage({ category: CATEGORY_RESPONSE, tag: tags[tags.length - 1] ?? tag, opcode: TUNNEL_OPCODE, rc: RC.InvalidInput });
  for (let k = tags.length - 2; k >= 0; k--) {
    msg = encodeCciMessage({ category: CATEGORY_RESPONSE, tag: tags[k] ?? tag, opcode: TUNNEL_OPCODE, payload: encodeTunnelResponse(msg) });
  }
  return msg;
}
