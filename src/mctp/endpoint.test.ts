import { beforeAll, describe, expect, it } from 'vitest';
import type { HostDriver } from '../host/host-driver.js';
import { AuditLog } from '../host/policy/audit.js';
import { createSystem, type EmulatorSystem } from '../system.js';
import { MctpSession, type MctpLogEntry, type MctpTarget } from './endpoint.js';

const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Request packets by hand (DSP0236 8.1): version 1, dest 08, src 10, TO set. */
function packets(message: Uint8Array, tag = 0): Uint8Array {
  const n = Math.max(1, Math.ceil(message.length / 64));
  const out = new Uint8Array(68 * n);
  for (let i = 0; i < n; i++) {
    out.set([0x01, 0x08, 0x10, (i === 0 ? 0x80 : 0) | (i === n - 1 ? 0x40 : 0) | ((i & 3) << 4) | 0x08 | tag], i * 68);
    out.set(message.subarray(i * 64, (i + 1) * 64), i * 68 + 4);
  }
  return out;
}

// Get Physical Port State for ports 0..59 (a 2-packet request: 1 + 12 + 61 = 74 bytes).
const PORTS_REQ = Uint8Array.from([0x07, 0x00, 0x01, 0x00, 0x01, 0x51, 61, 0, 0, 0, 0, 0, 0, 60, ...Array.from({ length: 60 }, (_, i) => i % 10)]);

let sys: EmulatorSystem;
let driver: HostDriver;
beforeAll(async () => {
  sys = createSystem();
  driver = await sys.openDriver({ maxScope: 'full' });
});

function target(extra: Partial<MctpTarget> = {}): () => MctpTarget {
  return () => ({ cci: sys.switchCci, directory: (r) => driver.cci(r), now: () => sys.clock.now(), ...extra });
}

describe('MctpSession', () => {
  it('gives the same answer whatever way the stream is split', () => {
    const stream = packets(PORTS_REQ, 1);
    const whole = new MctpSession({ target: target() }).receive(stream).packets;
    expect(whole.length).toBeGreaterThan(1);
    for (const cut of [1, 3, 67, 68, 69, 100, 135]) {
      const s = new MctpSession({ target: target() });
      const a = s.receive(stream.subarray(0, cut));
      expect(s.buffered).toBe(cut % 68);
      const b = s.receive(stream.subarray(cut));
      expect(hx(Buffer.concat([...a.packets, ...b.packets]))).toBe(hx(Buffer.concat(whole)));
      expect(s.buffered).toBe(0);
    }
  });

  it('logs and forgets a message cut off by the end of the connection', () => {
    const s = new MctpSession({ target: target() });
    const logs: MctpLogEntry[] = [];
    s.events.on('log', (e) => logs.push(e));
    s.receive(packets(PORTS_REQ).subarray(0, 68 + 10));
    expect([s.inProgress, s.buffered]).toEqual([1, 10]);
    s.end();
    expect([s.inProgress, s.buffered]).toEqual([0, 0]);
    expect(logs.map((l) => l.event)).toContain('disconnect-mid-message');
    expect(s.receive(packets(PORTS_REQ)).packets).toHaveLength(0);
  });

  it('asks to close after too many unreadable packets in a row, and not before', () => {
    const s = new MctpSession({ target: target(), maxBadPackets: 3 });
    const junk = new Uint8Array(68).fill(0xee);
    expect(s.receive(junk).close).toBeUndefined();
    expect(s.receive(junk).close).toBeUndefined();
    // A good packet resets the run.
    expect(s.receive(packets(Uint8Array.of(0x00, 0x80, 0x02))).packets).toHaveLength(1);
    expect(s.receive(junk).close).toBeUndefined();
    expect(s.receive(junk).close).toBeUndefined();
    expect(s.receive(junk).close).toMatch(/3 unreadable packets/);
  });

  it('records each filter decision, and with allow-all overrides a refusal loudly', () => {
    const audit = new AuditLog();
    // Set Timestamp (0301h), type 08h, at read-only scope.
    const req = Uint8Array.of(0x08, 0x00, 0x02, 0x00, 0x01, 0x03, 8, 0, 0, 0, 0, 0, 0, 0x00, 0xe4, 0x0b, 0x54, 0x02, 0, 0, 0);
    const refused = new MctpSession({ target: target({ audit }) }).receive(packets(req, 2)).packets[0]!;
    expect(hx(refused.subarray(4, 17))).toBe('08' + '010200' + '0103' + '000000' + '1500' + '0000');
    expect(audit.tail(1)[0]).toMatchObject({ allowed: false, opcode: 0x0301, class: 'write', requiredScope: 'debug-write' });
    expect(audit.tainted).toBeUndefined();
    expect(sys.switchCci.getTimestamp()).toBe(0n);

    const open = new MctpSession({ target: target({ audit, allowAll: true }) }).receive(packets(req, 2)).packets[0]!;
    expect(hx(open.subarray(4, 17))).toBe('08' + '010200' + '0103' + '000000' + '0000' + '0000');
    expect(audit.tail(1)[0]).toMatchObject({ allowed: true, override: true });
    expect(audit.tainted?.reason).toMatch(/allow-all/);
    expect(sys.switchCci.getTimestamp()).toBe(10_000_000_000n);
  });

  it('drops messages addressed to another EID, serves the null EID', () => {
    const s = new MctpSession({ target: target(), eid: 0x20 });
    const getEid = (dest: number): Uint8Array => {
      const p = packets(Uint8Array.of(0x00, 0x80, 0x02));
      p[1] = dest;
      return p;
    };
    expect(s.receive(getEid(0x08)).packets).toHaveLength(0);
    expect(s.receive(getEid(0x00)).packets).toHaveLength(1);
    expect(s.receive(getEid(0xff)).packets).toHaveLength(1);
    expect(s.eid).toBe(0x20);
  });
});
