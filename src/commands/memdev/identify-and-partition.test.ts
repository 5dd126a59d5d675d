import { describe, expect, it } from 'vitest';
import { GiB, MiB, le, makeLd, zeros } from '../../../test/type3/ld-harness.js';

// Return codes restated from CXL r3.2 Table 8-34.
const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const MEDIA_DISABLED = 0x07;
const INVALID_PAYLOAD_LENGTH = 0x16;

describe('Identify Memory Device (0x4000)', () => {
  it('reports the LD allocation in 256 MiB units, log sizes, LSA and poison limits in 0x45 bytes', () => {
    const { send } = makeLd();
    const r = send(0x4000);
    expect(r.rc).toBe(SUCCESS);
    expect(r.bytes.length).toBe(0x45);
    expect(r.hex).toBe(
      '43584c454d55204657203' + '12e30000000' + // "CXLEMU FW 1.0" NUL padded to 16
        '0400000000000000' + // total 4 x 256 MiB
        '0000000000000000' + // volatile only
        '0000000000000000' + // persistent only
        '0100000000000000' + // partition alignment 256 MiB
        '2000200020002000' + // info/warn/failure/fatal log sizes: 32
        '00040000' + // LSA 1024
        '000100' + // poison list max records 256
        '0001' + // inject poison limit 256
        // Poison caps: bit 0 Injects Persistent Poison only. Bit 1 is "Scans for Poison" (the device
        // patrols its media by itself), not "Scan Media supported"; this device does neither, so it
        // is clear (bit names per libcxl/ndctl's Identify Memory Device decoding).
        '01' +
        '00' + // QoS telemetry caps
        '2000', // DC event log size
    );
  });

  it('follows an allocation change', () => {
    const { ld, send } = makeLd();
    ld.setCapacity(2n * GiB, 0n);
    expect(send(0x4000).hex.slice(0x10 * 2, 0x18 * 2)).toBe(le(8, 8));
    ld.setCapacity(0n, 0n);
    const r = send(0x4000).hex;
    expect(r.slice(0x10 * 2, 0x18 * 2)).toBe(zeros(8));
    // Nothing to partition: alignment 0.
    expect(r.slice(0x28 * 2, 0x30 * 2)).toBe(zeros(8));
  });

  it('rejects an input payload', () => {
    expect(makeLd().send(0x4000, '00').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Get/Set Partition Info (0x4100/0x4101)', () => {
  it('reports the configured split, active and next', () => {
    const { send } = makeLd();
    // Next Volatile/Persistent both 0: nothing pending (Table 8-143).
    expect(send(0x4100).hex).toBe(le(2, 8) + le(2, 8) + le(0, 8) + le(0, 8));
  });

  it('a deferred change shows as next until the next reset applies it (CEL: after cold, conventional or CXL reset)', () => {
    const { ld, send } = makeLd();
    expect(send(0x4101, le(1, 8) + '00').rc).toBe(SUCCESS);
    expect(send(0x4100).hex).toBe(le(2, 8) + le(2, 8) + le(1, 8) + le(3, 8));
    ld.reset('cxl');
    expect(send(0x4100).hex).toBe(le(1, 8) + le(3, 8) + le(0, 8) + le(0, 8)); // applied: nothing pending
    expect(send(0x4101, le(2, 8) + '00').rc).toBe(SUCCESS);
    ld.reset('conventional');
    expect(send(0x4100).hex).toBe(le(2, 8) + le(2, 8) + le(0, 8) + le(0, 8));
  });

  it('an immediate change applies at once', () => {
    const { send } = makeLd();
    expect(send(0x4101, le(4, 8) + '01').rc).toBe(SUCCESS);
    expect(send(0x4100).hex).toBe(le(4, 8) + le(0, 8) + le(0, 8) + le(0, 8));
  });

  it('rejects a volatile size larger than the LD, leaving the partition alone', () => {
    const { send } = makeLd();
    expect(send(0x4101, le(5, 8) + '01').rc).toBe(INVALID_INPUT);
    expect(send(0x4101, 'ffffffffffffffff01').rc).toBe(INVALID_INPUT);
    expect(send(0x4100).hex).toBe(le(2, 8).repeat(2) + le(0, 8).repeat(2));
  });

  it('rejects short and long payloads', () => {
    const { send } = makeLd();
    expect(send(0x4101, le(1, 8)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4101, le(1, 8) + '0100').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('answers Media Disabled while the media is disabled', () => {
    const { ld, send } = makeLd();
    ld.mediaDisabled = true;
    expect(send(0x4100).rc).toBe(MEDIA_DISABLED);
    expect(send(0x4101, le(1, 8) + '01').rc).toBe(MEDIA_DISABLED);
  });
});

describe('Get/Set LSA (0x4102/0x4103)', () => {
  it('reads back what was written', () => {
    const { send } = makeLd();
    expect(send(0x4103, le(0x10, 4) + zeros(4) + 'deadbeefcafe').rc).toBe(SUCCESS);
    const r = send(0x4102, le(0x0e, 4) + le(10, 4));
    expect(r.rc).toBe(SUCCESS);
    expect(r.hex).toBe('0000deadbeefcafe0000');
  });

  it('rejects reads and writes past the end of the LSA without writing anything', () => {
    const { send } = makeLd();
    expect(send(0x4102, le(1020, 4) + le(8, 4)).rc).toBe(INVALID_INPUT);
    expect(send(0x4103, le(1022, 4) + zeros(4) + '112233').rc).toBe(INVALID_INPUT);
    expect(send(0x4102, le(1016, 4) + le(8, 4)).hex).toBe(zeros(8));
    // 0xffffffff + length must not wrap around.
    expect(send(0x4102, 'ffffffff' + le(2, 4)).rc).toBe(INVALID_INPUT);
  });

  it('rejects a read larger than one response', () => {
    const { send } = makeLd({ lsaBytes: 4096 });
    // The response message limit tops out at 2^10 (CXL r3.2 8.2.10.1.3), whatever the mailbox size.
    expect(send(0x4102, le(0, 4) + le(2048, 4)).rc).toBe(INVALID_INPUT);
    expect(send(0x4102, le(0, 4) + le(1025, 4)).rc).toBe(INVALID_INPUT);
    expect(send(0x4102, le(0, 4) + le(1024, 4)).bytes.length).toBe(1024);
  });

  it('checks payload lengths', () => {
    const { send } = makeLd();
    expect(send(0x4102, le(0, 4)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(send(0x4103, le(0, 4) + '0000').rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('an LD without an LSA rejects any non-empty access', () => {
    const { send } = makeLd({ lsaBytes: 0 });
    expect(send(0x4102, le(0, 4) + le(1, 4)).rc).toBe(INVALID_INPUT);
  });
});
