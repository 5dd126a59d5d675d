// Message assembly from packets (DSP0236 8.8 "Dropped packets", 8.9 "Starting and ending a
// message"), one partial message per (source EID, tag) of the requester. The rules:
//   - SOM starts a message; a SOM on a tag that already has a partial message restarts it (the
//     requester gave up on the old one);
//   - each following packet must carry the next sequence number mod 4, else the partial message
//     is dropped (a packet went missing, the message cannot be trusted);
//   - a packet that is not SOM on a tag with nothing in progress is dropped;
//   - EOM completes the message;
//   - a message that would grow past the limit is dropped whole, and the rest of its packets are
//     discarded quietly up to its EOM.
// The endpoint assembles only requests (tag owner set): it never sends requests, so a packet with
// the tag owner bit clear cannot be a response to anything of its own. A requester (attach's MCTP
// link) assembles both, one partial message per (source, tag owner, tag).

import type { Packet } from './packet.js';

export type AssemblyEvent =
  | { readonly kind: 'pending' }
  | { readonly kind: 'message'; readonly src: number; readonly dest: number; readonly tagOwner: boolean; readonly tag: number; readonly bytes: Uint8Array }
  | {
      readonly kind: 'dropped';
      readonly reason: 'not-a-request' | 'no-som' | 'sequence' | 'oversize' | 'discarding' | 'restarted';
      readonly detail: string;
      readonly src: number;
      readonly tag: number;
      /** What was assembled so far (oversize: the first bytes, so the caller can answer). */
      readonly partial?: Uint8Array;
    };

interface Partial {
  chunks: Uint8Array[];
  size: number;
  lastSeq: number;
  dest: number;
}

export class Reassembler {
  private readonly partials = new Map<number, Partial>();
  /** Tags whose message was dropped as oversize: discard quietly until their EOM. */
  private readonly discarding = new Set<number>();

  constructor(
    readonly maxMessageBytes: number,
    /** Assemble responses (tag owner clear) too, as a requester must. */
    private readonly acceptResponses = false,
  ) {}

  /** Tags with a message in progress (for tests and the connection log). */
  get inProgress(): number {
    return this.partials.size;
  }

  /**
   * Feed one packet. A restarted tag yields the event of the new message's packet, with the
   * restart reported through `onRestart` so nothing is lost silently.
   */
  push(p: Packet, onRestart?: (e: AssemblyEvent) => void): AssemblyEvent {
    const h = p.header;
    const key = (h.src << 4) | (h.tagOwner ? 8 : 0) | h.tag;
    if (!h.tagOwner && !this.acceptResponses) {
      return { kind: 'dropped', reason: 'not-a-request', detail: 'tag owner bit clear: not a request', src: h.src, tag: h.tag };
    }
    if (h.som) {
      this.discarding.delete(key);
      const old = this.partials.get(key);
      if (old) {
        this.partials.delete(key);
        onRestart?.({ kind: 'dropped', reason: 'restarted', detail: `new SOM on tag ${h.tag} drops ${old.size} bytes in progress`, src: h.src, tag: h.tag });
      }
      const cur: Partial = { chunks: [], size: 0, lastSeq: h.seq, dest: h.dest };
      const over = this.add(cur, p, key);
      if (over) return over;
      return this.finishIf(cur, p, key);
    }
    if (this.discarding.has(key)) {
      if (h.eom) this.discarding.delete(key);
      return { kind: 'dropped', reason: 'discarding', detail: 'rest of an oversize message', src: h.src, tag: h.tag };
    }
    const cur = this.partials.get(key);
    if (!cur) {
      return { kind: 'dropped', reason: 'no-som', detail: `packet without SOM on tag ${h.tag} with no message in progress`, src: h.src, tag: h.tag };
    }
    const expected = (cur.lastSeq + 1) & 0x03;
    if (h.seq !== expected) {
      this.partials.delete(key);
      return {
        kind: 'dropped',
        reason: 'sequence',
        detail: `sequence ${h.seq}, expected ${expected}: ${cur.size} bytes in progress dropped`,
        src: h.src,
        tag: h.tag,
      };
    }
    cur.lastSeq = h.seq;
    const over = this.add(cur, p, key);
    if (over) return over;
    return this.finishIf(cur, p, key);
  }

  /** Forget everything (the connection closed). */
  clear(): void {
    this.partials.clear();
    this.discarding.clear();
  }

  private add(cur: Partial, p: Packet, key: number): AssemblyEvent | undefined {
    if (cur.size + p.payload.length > this.maxMessageBytes) {
      this.partials.delete(key);
      if (!p.header.eom) this.discarding.add(key);
      const partial = joinChunks(cur.chunks.length ? cur.chunks : [p.payload], cur.chunks.length ? cur.size : p.payload.length);
      return {
        kind: 'dropped',
        reason: 'oversize',
        detail: `message exceeds the ${this.maxMessageBytes}-byte reassembly limit`,
        src: p.header.src,
        tag: p.header.tag,
        partial,
      };
    }
    cur.chunks.push(p.payload);
    cur.size += p.payload.length;
    this.partials.set(key, cur);
    return undefined;
  }

  private finishIf(cur: Partial, p: Packet, key: number): AssemblyEvent {
    if (!p.header.eom) return { kind: 'pending' };
    this.partials.delete(key);
    return { kind: 'message', src: p.header.src, dest: cur.dest, tagOwner: p.header.tagOwner, tag: p.header.tag, bytes: joinChunks(cur.chunks, cur.size) };
  }
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
