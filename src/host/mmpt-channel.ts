// One caller's MMPT channel (issue: a shared MMPT response queue let a read-only client take an
// admin's responses, and fill the queue so the admin's Send answered Busy). The device has one
// receive queue, as it has one mailbox (src/commands/mmpt/mmpt-message.ts); this channel keeps the
// driver the only one that drains it: each Send Message is followed by its Receive Message under
// the driver's mailbox lock, and the response waits here, in this caller's own queue, until this
// caller asks for it. Nobody else can see, take or fill it.
//
// The filter judges the carried message first (decideMmpt), at the scope the caller names; a
// refused message never reaches a register.

import { decodeCciMessage } from '../cci/message.js';
import { MessageType } from '../commands/mmpt/mmpt-message.js';
import { RC, rcName } from '../spec/return-codes.js';
import { DriverError } from './driver/errors.js';
import type { HostDriver, SubmitOutcome } from './host-driver.js';
import { decideMmpt, type Decision } from './policy/decide.js';
import { scopeRank, type Scope } from './policy/scopes.js';

/** The device's queue depth (MMPT Capabilities reports 16); a channel holds as many. */
export const MMPT_CHANNEL_CAPACITY = 16;

export class MmptChannel {
  private readonly queue: Uint8Array[] = [];

  constructor(
    private readonly driver: HostDriver,
    readonly capacity = MMPT_CHANNEL_CAPACITY,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  /** MMPT Send Message: the outcome of the Send itself; the response waits in this channel. */
  async send(message: Uint8Array, scope: Scope = 'read-only'): Promise<SubmitOutcome> {
    const d = this.driver;
    let decision: Decision;
    if (scopeRank(scope) > scopeRank(d.maxScope)) {
      decision = { allowed: false, opcode: 0x0100, scope, route: [], reason: `scope ${scope} exceeds this caller's maximum scope ${d.maxScope}` };
    } else {
      decision = await d.directoryWith((dir) => decideMmpt(message, scope, dir));
      if (!decision.allowed && d.allowAll) decision = { ...decision, allowed: true, reason: `ALLOW-ALL override of a refusal: ${decision.reason}` };
    }
    if (!decision.allowed) {
      d.auditRefusal(decision);
      return { refused: true, reason: decision.reason, decision };
    }
    // Full: answered as the device answers a full queue, and nothing is sent.
    if (this.queue.length >= this.capacity) {
      return { refused: false, rc: RC.RetryRequired, rcName: rcName(RC.RetryRequired), vendorStatus: 0, payload: new Uint8Array(0), decision };
    }
    const r = await d.mmptExchange(message, decision, scope);
    if (r.rc !== RC.Success) {
      // Send answered on the mailbox (a malformed message): nothing was queued.
      return r;
    }
    const got = r.payload;
    // The device queue held someone else's response (a raw register user): not ours to keep.
    const mine = decodeCciMessage(got.slice(1));
    const sentTag = message[2];
    if (got.length === 0 || !mine.ok || (got[0] !== MessageType.FmApi && got[0] !== MessageType.CxlCci) || mine.value.tag !== sentTag) {
      throw new DriverError('MMPT receive queue held a response this driver did not send (raw register traffic on the MMPT queue)');
    }
    this.queue.push(got);
    return { ...r, payload: new Uint8Array(0) };
  }

  /** MMPT Receive Message: the oldest response waiting in this channel, empty when none. */
  receive(scope: Scope = 'read-only'): SubmitOutcome {
    const decision: Decision = { allowed: true, opcode: 0x0101, scope, route: [], class: 'read-only', requiredScope: 'read-only', reason: 'MMPT Receive Message from this caller\'s own queue' };
    const payload = this.queue.shift() ?? new Uint8Array(0);
    return { refused: false, rc: RC.Success, rcName: rcName(RC.Success), vendorStatus: 0, payload, decision };
  }

  clear(): void {
    this.queue.length = 0;
  }
}
