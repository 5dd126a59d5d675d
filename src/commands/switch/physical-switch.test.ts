import { describe, expect, it } from 'vitest';
import { harness, hex } from '../../../test/switch/harness.js';

// Return codes restated from CXL r3.2 Table 8-34.
const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const RETRY_REQUIRED = 0x05;
const INVALID_PAYLOAD_LENGTH = 0x16;

const z = (n: number): string => '00'.repeat(n);

describe('Identify Switch Device (5100h)', () => {
  it('reports ports, VCSs, bitmasks, vPPB counts and HDM decoders', () => {
    const h = harness();
    const r = h.run(0x5100);
    expect(r.rc).toBe(SUCCESS);
    // ingress 0, rsvd, 7 ports, 2 VCSs; ports 0-5 active (6 disabled); VCS 0,1; 8 vPPBs
    // (5 + 3, each VCS counting its USP vPPB); 2 bound (the USP vPPBs); 4 HDM decoders.
    expect(hex(r.payload)).toBe('00000702' + '3f' + z(31) + '03' + z(31) + '0800' + '0200' + '04');
  });

  it('counts a completed bind and rejects any input', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    expect(h.run(0x5100).payload[0x46]).toBe(3);
    expect(h.run(0x5100, [0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });
});

describe('Get Physical Port State (5101h)', () => {
  it('returns Table 7-19 blocks with real LTSSM and PERST state, and Fh for an unknown port', () => {
    const h = harness();
    const r = h.run(0x5101, [7, 0, 1, 2, 3, 4, 6, 9]);
    expect(r.rc).toBe(SUCCESS);
    expect(hex(r.payload)).toBe(
      '07000000' +
        // USP: state 4, mode/type reserved, modes 06, x16/x16, speeds 1f, 32/32 GT/s, L0, PRSNT
        '00040000' + '0006' + '1010' + '1f0505' + '04' + '00' + '0400' + '00' +
        // SLD: DSP, 256B flit, type 4, modes 07, x8/x8, L0, PRSNT, 16 LDs
        '01030300' + '0407' + '0808' + '1f0505' + '04' + '00' + '0400' + '10' +
        // MLD: type 5, 64 GT/s, lane reversed + PRSNT
        '02030300' + '0506' + '1010' + '3f0606' + '04' + '00' + '0500' + '10' +
        // PCIe device: mode 0 (not CXL), type 1
        '03030000' + '0102' + '0404' + '0f0404' + '04' + '00' + '0400' + '10' +
        // empty: no device, width 0, speed 0, Detect, not present
        '04030000' + '0006' + '1000' + '1f0500' + '00' + '00' + '0000' + '10' +
        // disabled: state 0, LTSSM Disabled
        '06000000' + '0002' + '0400' + '070300' + '08' + '00' + '0000' + '10' +
        // unknown port 9: Invalid Port_ID
        '090f' + z(14),
    );
  });

  it('shows PERST# asserted: Detect, link down, PERST flag', () => {
    const h = harness();
    expect(h.run(0x5102, [1, 0]).rc).toBe(SUCCESS);
    const r = h.run(0x5101, [1, 1]);
    expect(hex(r.payload)).toBe('01000000' + '01030000' + '0407' + '0800' + '1f0500' + '00' + '00' + '0600' + '10');
  });

  it('checks the length against the port count', () => {
    const h = harness();
    expect(h.run(0x5101, []).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5101, [2, 1]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5101, [1, 1, 2]).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('returns the blocks that fit the response message limit, counted in Number of Ports', () => {
    const h = harness();
    h.cci.responseLimitLog2 = 8; // 256 bytes: room for 15 blocks
    const r15 = h.run(0x5101, [15, ...new Array<number>(15).fill(1)]);
    expect(r15.rc).toBe(SUCCESS);
    expect(r15.payload.length).toBe(4 + 15 * 16);
    const r16 = h.run(0x5101, [16, ...new Array<number>(16).fill(1)]);
    expect(r16.rc).toBe(SUCCESS);
    expect(r16.payload[0]).toBe(15);
    expect(r16.payload.length).toBe(0xf4); // 4 + 15 x 16
  });
});

describe('Physical Port Control (5102h)', () => {
  it('holds PERST# for at least 100 ms of virtual time', () => {
    const h = harness();
    expect(h.run(0x5102, [1, 0]).rc).toBe(SUCCESS);
    expect(h.sld.resets).toBe(1);
    h.clock.advance(99);
    expect(h.run(0x5102, [1, 1]).rc).toBe(RETRY_REQUIRED);
    expect(h.sw.port(1)?.perstAsserted).toBe(true);
    h.clock.advance(1);
    expect(h.run(0x5102, [1, 1]).rc).toBe(SUCCESS);
    expect(h.sw.port(1)?.ltssm).toBe(0x04);
  });

  it('refuses operations that do not fit the state, changing nothing', () => {
    const h = harness();
    expect(h.run(0x5102, [1, 1]).rc).toBe(INVALID_INPUT); // not asserted
    h.run(0x5102, [1, 0]);
    expect(h.run(0x5102, [1, 0]).rc).toBe(INVALID_INPUT); // already asserted
    expect(h.run(0x5102, [1, 2]).rc).toBe(INVALID_INPUT); // reset while PERST# held
    expect(h.sld.resets).toBe(1);
    expect(h.run(0x5102, [1, 3]).rc).toBe(INVALID_INPUT); // reserved opcode
    expect(h.run(0x5102, [9, 0]).rc).toBe(INVALID_INPUT); // no such port
    expect(h.run(0x5102, [0, 0]).rc).toBe(INVALID_INPUT); // USP
    expect(h.run(0x5102, [6, 0]).rc).toBe(INVALID_INPUT); // disabled
    expect(h.run(0x5102, [1]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5102, [1, 0, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
  });

  it('leaves a host-owned SLD port alone but may reset an MLD port with bound LDs', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    expect(h.run(0x5102, [1, 0]).rc).toBe(INVALID_INPUT);
    expect(h.sw.port(1)?.perstAsserted).toBe(false);
    h.sw.bindNow(0, 2, 2, 0);
    expect(h.run(0x5102, [2, 0]).rc).toBe(SUCCESS);
  });

  it('Reset PPB: hot reset on the link, device and PPB config back to defaults', () => {
    const h = harness();
    h.sw.port(1)?.config.write(0x19, 1, 0x05);
    expect(h.run(0x5102, [1, 2]).rc).toBe(SUCCESS);
    expect(h.sld.resets).toBe(1);
    expect(h.sw.port(1)?.config.read(0x19, 1)).toBe(0);
    expect(h.sw.port(1)?.ltssm).toBe(0x0a);
    expect(h.run(0x5102, [1, 2]).rc).toBe(RETRY_REQUIRED);
    h.clock.advance(2);
    expect(h.sw.port(1)?.ltssm).toBe(0x04);
  });
});

describe('Send PPB CXL.io Configuration Request (5103h)', () => {
  it('reads the bridge header and the live PCIe link registers', () => {
    const h = harness();
    // DW 0: vendor 1e98h, device a129h (DSP)
    expect(hex(h.run(0x5103, [1, 0x00, 0xf0, 0x00, 0, 0, 0, 0]).payload)).toBe('981e29a1');
    // DW 4Ch Link Capabilities: 32 GT/s, x8, DLL active reporting, port number 1
    expect(hex(h.run(0x5103, [1, 0x4c, 0xf0, 0x00, 0, 0, 0, 0]).payload)).toBe('85001001');
    // DW 50h: Link Status (upper half) 32 GT/s, x8, DLL Link Active
    expect(hex(h.run(0x5103, [1, 0x50, 0xf0, 0x00, 0, 0, 0, 0]).payload)).toBe('00008520');
    // Extended register number 1 → offset 100h: no extended capabilities
    expect(hex(h.run(0x5103, [1, 0x00, 0xf1, 0x00, 0, 0, 0, 0]).payload)).toBe('00000000');
  });

  it('writes only the enabled bytes of writable fields', () => {
    const h = harness();
    // DW 18h, byte enable 0010b: secondary bus number only; primary (77h) is not enabled.
    expect(h.run(0x5103, [1, 0x18, 0x20, 0x80, 0x77, 0x05, 0x06, 0x07]).rc).toBe(SUCCESS);
    expect(hex(h.run(0x5103, [1, 0x18, 0xf0, 0x00, 0, 0, 0, 0]).payload)).toBe('00050000');
    // Vendor ID is read-only.
    h.run(0x5103, [1, 0x00, 0xf0, 0x80, 0xff, 0xff, 0xff, 0xff]);
    expect(hex(h.run(0x5103, [1, 0x00, 0xf0, 0x00, 0, 0, 0, 0]).payload)).toBe('981e29a1');
    // A read with byte enables 0011b returns only those bytes.
    expect(hex(h.run(0x5103, [1, 0x00, 0x30, 0x00, 0, 0, 0, 0]).payload)).toBe('981e0000');
  });

  it('refuses host-owned ports, USPs, unknown ports and bad lengths', () => {
    const h = harness();
    h.sw.bindNow(0, 1, 1, 0xffff);
    expect(h.run(0x5103, [1, 0, 0xf0, 0, 0, 0, 0, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5103, [0, 0, 0xf0, 0, 0, 0, 0, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5103, [9, 0, 0xf0, 0, 0, 0, 0, 0]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5103, [4, 0, 0xf0, 0, 0, 0, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5103, [4, 0, 0xf0, 0, 0, 0, 0, 0]).rc).toBe(SUCCESS); // empty unbound port
  });
});

describe('Domain validation (5104h-5107h)', () => {
  const sv = [...Array(16).keys()].map((i) => 0xa0 + i);

  it('a host sets its VCS secret value once; the FM reads state and value per VCS', () => {
    const h = harness();
    expect(hex(h.run(0x5104).payload)).toBe('00');
    expect(h.run(0x5105, sv).rc).toBe(SUCCESS);
    expect(hex(h.run(0x5104).payload)).toBe('01');
    expect(h.run(0x5105, new Array<number>(16).fill(1)).rc).toBe(INVALID_INPUT);
    expect(hex(h.run(0x5106, [0]).payload)).toBe('01');
    expect(hex(h.run(0x5106, [1]).payload)).toBe('00');
    expect(hex(h.run(0x5107, [0]).payload)).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
    expect(hex(h.run(0x5107, [1]).payload)).toBe(z(16));
  });

  it('rejects unknown VCSs and bad lengths', () => {
    const h = harness();
    expect(h.run(0x5106, [7]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5107, [7]).rc).toBe(INVALID_INPUT);
    expect(h.run(0x5105, sv.slice(1)).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5106, [0, 0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.run(0x5104, [0]).rc).toBe(INVALID_PAYLOAD_LENGTH);
    expect(h.sw.vcs(0)?.domainValidationSv).toBeUndefined();
  });
});
