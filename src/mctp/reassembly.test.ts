import { describe, expect, it } from 'vitest';
import type { Packet } from './packet.js';
import { Reassembler, type AssemblyEvent } from './reassembly.js';

function pkt(o: { som?: boolean; eom?: boolean; seq?: number; tag?: number; src?: number; to?: boolean; fill?: number }): Packet {
  return {
    header: {
      version: 1,
      dest: 8,
      src: o.src ?? 0x10,
      som: o.som ?? false,
      eom: o.eom ?? false,
      seq: o.seq ?? 0,
      tagOwner: o.to ?? true,
      tag: o.tag ?? 0,
    },
    payload: new Uint8Array(64).fill(o.fill ?? 0),
  };
}

describe('Reassembler', () => {
  it('returns a single-packet message at once', () => {
    const r = new Reassembler(1024);
    const e = r.push(pkt({ som: true, eom: true, fill: 0xab, tag: 2 }));
    expect(e.kind).toBe('message');
    if (e.kind === 'message') {
      expect(e.bytes.length).toBe(64);
      expect(e.tag).toBe(2);
      expect(e.bytes[63]).toBe(0xab);
    }
    expect(r.inProgress).toBe(0);
  });

  it('a requester assembles responses too, apart from requests on the same tag; the endpoint refuses them', () => {
    expect(new Reassembler(1024).push(pkt({ som: true, eom: true, to: false })).kind).toBe('dropped');
    const r = new Reassembler(1024, true);
    // A request and a response in progress on tag 3 at once: two messages, neither breaks the other.
    expect(r.push(pkt({ som: true, to: true, tag: 3, fill: 1 })).kind).toBe('pending');
    expect(r.push(pkt({ som: true, to: false, tag: 3, fill: 2 })).kind).toBe('pending');
    const resp = r.push(pkt({ eom: true, seq: 1, to: false, tag: 3, fill: 3 }));
    const req = r.push(pkt({ eom: true, seq: 1, to: true, tag: 3, fill: 4 }));
    expect(resp.kind === 'message' && [resp.tagOwner, resp.bytes[0], resp.bytes[64]]).toEqual([false, 2, 3]);
    expect(req.kind === 'message' && [req.tagOwner, req.bytes[0], req.bytes[64]]).toEqual([true, 1, 4]);
  });

  it('joins packets in sequence, wrapping mod 4', () => {
    const r = new Reassembler(1024);
    const seqs = [2, 3, 0, 1];
    const events = seqs.map((seq, i) => r.push(pkt({ som: i === 0, eom: i === 3, seq, fill: i + 1 })));
    expect(events.slice(0, 3).map((e) => e.kind)).toEqual(['pending', 'pending', 'pending']);
    const last = events[3];
    expect(last?.kind).toBe('message');
    if (last?.kind === 'message') expect([0, 64, 128, 192].map((o) => last.bytes[o])).toEqual([1, 2, 3, 4]);
  });

  it('drops the partial message on a sequence mismatch, and the packets that follow', () => {
    const r = new Reassembler(1024);
    r.push(pkt({ som: true, seq: 0 }));
    const e = r.push(pkt({ seq: 2 }));
    expect(e).toMatchObject({ kind: 'dropped', reason: 'sequence' });
    expect(r.inProgress).toBe(0);
    expect(r.push(pkt({ seq: 3, eom: true }))).toMatchObject({ kind: 'dropped', reason: 'no-som' });
  });

  it('restarts a tag on a new SOM and reports the restart', () => {
    const r = new Reassembler(1024);
    r.push(pkt({ som: true, seq: 0, fill: 1 }));
    const restarts: AssemblyEvent[] = [];
    expect(r.push(pkt({ som: true, seq: 3, fill: 2 }), (x) => restarts.push(x)).kind).toBe('pending');
    expect(restarts).toEqual([expect.objectContaining({ kind: 'dropped', reason: 'restarted' })]);
    const e = r.push(pkt({ seq: 0, eom: true, fill: 3 }));
    expect(e.kind).toBe('message');
    if (e.kind === 'message') expect([e.bytes[0], e.bytes[64], e.bytes.length]).toEqual([2, 3, 128]);
  });

  it('keeps tags and sources apart', () => {
    const r = new Reassembler(1024);
    r.push(pkt({ som: true, tag: 1, fill: 1 }));
    r.push(pkt({ som: true, tag: 2, fill: 2 }));
    r.push(pkt({ som: true, tag: 1, src: 0x11, fill: 3 }));
    expect(r.inProgress).toBe(3);
    const e = r.push(pkt({ seq: 1, eom: true, tag: 2, fill: 4 }));
    expect(e.kind === 'message' && [e.bytes[0], e.bytes[64]]).toEqual([2, 4]);
    expect(r.inProgress).toBe(2);
  });

  it('ignores packets whose tag owner bit is clear', () => {
    const r = new Reassembler(1024);
    expect(r.push(pkt({ som: true, eom: true, to: false }))).toMatchObject({ kind: 'dropped', reason: 'not-a-request' });
  });

  it('drops a message past the limit, hands back its first bytes and discards the rest to EOM', () => {
    const r = new Reassembler(128);
    r.push(pkt({ som: true, seq: 0, fill: 9 }));
    r.push(pkt({ seq: 1 }));
    const over = r.push(pkt({ seq: 2 }));
    expect(over).toMatchObject({ kind: 'dropped', reason: 'oversize' });
    if (over.kind === 'dropped') expect(over.partial?.[0]).toBe(9);
    expect(r.inProgress).toBe(0);
    expect(r.push(pkt({ seq: 3 }))).toMatchObject({ reason: 'discarding' });
    expect(r.push(pkt({ seq: 0, eom: true }))).toMatchObject({ reason: 'discarding' });
    // After the EOM the tag is usable again.
    expect(r.push(pkt({ som: true, eom: true })).kind).toBe('message');
  });
});
