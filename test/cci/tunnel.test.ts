import { describe, expect, it } from 'vitest';
import { Cci } from '../../src/cci/cci.js';
import { defineCommand, emptyCodec, fail, rawCodec } from '../../src/cci/command.js';
import { genericCommands } from '../../src/commands/generic/index.js';
import { tunnelManagementCommand } from '../../src/commands/tunnel/tunnel-management-command.js';
import { unwrapTunnelResponses, wrapInTunnels } from '../../src/commands/tunnel/tunnel-payload.js';
import { VirtualClock } from '../../src/time/clock.js';
import { hex, toHex } from '../helpers/hex.js';

const SUCCESS = 0, INVALID_INPUT = 2, UNSUPPORTED = 3, INVALID_LEN = 0x16;
const id = (componentType: number, serial: bigint) => ({ vendorId: 0x8086, deviceId: 0x0d93, subsystemVendorId: 0, subsystemId: 0, serialNumber: serial, componentType });

function fabric() {
  const clock = new VirtualClock('manual');
  const vendorErr = defineCommand({
    opcode: 0xc100, name: 'Vendor Error', spec: 'test', input: { fixed: 0 }, effects: 0,
    request: emptyCodec, response: rawCodec, handle: () => fail(0x04, 0xbeef),
  });
  const ld0 = new Cci({ name: 'ld0', clock, device: undefined, maxPayload: 512, identity: id(3, 7n), commands: [...genericCommands, vendorErr] });
  const fm = new Cci({
    name: 'fm', clock, device: undefined, maxPayload: 512, identity: id(3, 7n),
    commands: [...genericCommands, tunnelManagementCommand(( _c, ld, t) => (t !== 0 ? INVALID_INPUT : ld === 0 ? ld0 : INVALID_INPUT))],
  });
  const sw = new Cci({
    name: 'sw', clock, device: undefined, maxPayload: 1024, identity: id(0, 1n),
    commands: [...genericCommands, tunnelManagementCommand((_c, port) => (port === 3 ? fm : INVALID_INPUT))],
  });
  return { sw };
}

describe('Tunnel Management Command (0x5300)', () => {
  it('carries Identify through two levels (reference qemu-cxl-emulation.md §9 example)', () => {
    const { sw } = fabric();
    const inner = '00' + '00' + '0c00' + '00' + '09' + '00' + '01' + '00' + '000000' + '0000' + '0000'; // LD 0, size 12, Identify tag 9
    const outer = '03' + '00' + '1c00' + '00' + '04' + '00' + '00' + '53' + '100000' + '0000' + '0000' + inner; // tag 4
    const r = sw.process(0x5300, hex(outer));
    expect(r.rc).toBe(SUCCESS);
    expect(toHex(r.payload)).toBe(
      '2e00' + '0000' + '01' + '04' + '00' + '00' + '53' + '220000' + '0000' + '0000' + // outer: 12+4+12+18 = 46, inner payload 4+12+18 = 34
        '1e00' + '0000' + '01' + '09' + '00' + '01' + '00' + '120000' + '0000' + '0000' + // 12+18 = 30
        '8680' + '930d' + '0000' + '0000' + '0700000000000000' + '09' + '03',
    );
  });

  it('builds and peels nested tunnels with the helpers', () => {
    const { sw } = fabric();
    const w = wrapInTunnels([{ id: 3 }, { id: 0 }], 0x0001, new Uint8Array());
    const r = sw.process(w.opcode, w.payload);
    const u = unwrapTunnelResponses(r.payload, 2);
    expect(u?.rc).toBe(SUCCESS);
    expect(u?.payload.length).toBe(18);
  });

  it('propagates the inner return code and vendor status; the outer command succeeds', () => {
    const { sw } = fabric();
    const w = wrapInTunnels([{ id: 3 }, { id: 0 }], 0xc100, new Uint8Array());
    const r = sw.process(w.opcode, w.payload);
    expect(r.rc).toBe(SUCCESS);
    expect(unwrapTunnelResponses(r.payload, 2)).toMatchObject({ rc: 0x04, vendorStatus: 0xbeef });
    const w2 = wrapInTunnels([{ id: 3 }], 0x4000, new Uint8Array());
    expect(unwrapTunnelResponses(sw.process(w2.opcode, w2.payload).payload, 1)?.rc).toBe(UNSUPPORTED);
  });

  it('checks every length: short input, command size below a header, size vs input, embedded length', () => {
    const { sw } = fabric();
    const idMsg = '00' + '00' + '00' + '01' + '00' + '000000' + '0000' + '0000';
    expect(sw.process(0x5300, hex('03000c00' + '00'.repeat(11))).rc).toBe(INVALID_LEN); // 15 bytes
    expect(sw.process(0x5300, hex('03000b00' + idMsg)).rc).toBe(INVALID_LEN); // size 11
    expect(sw.process(0x5300, hex('03000d00' + idMsg)).rc).toBe(INVALID_LEN); // size 13 vs 12 present
    expect(sw.process(0x5300, hex('03000d00' + '00000001' + '00' + '010000' + '0000' + '0000' + 'ff')).rc).toBe(SUCCESS); // len 1 + 1 byte -> routed (inner rc 0x16)
    expect(sw.process(0x5300, hex('03000c00' + '00000001' + '00' + '010000' + '0000' + '0000')).rc).toBe(INVALID_LEN); // header says 1, 0 follow
  });

  it('masks the BO bit of the embedded length', () => {
    const { sw } = fabric();
    const r = sw.process(0x5300, hex('03000c00' + '00000001' + '00' + '000080' + '0000' + '0000'));
    expect(r.rc).toBe(SUCCESS);
  });

  it('refuses a response category, a bad target type and an unknown port or LD', () => {
    const { sw } = fabric();
    const idMsg = '00' + '00' + '01' + '00' + '000000' + '0000' + '0000';
    expect(sw.process(0x5300, hex('03000c00' + '01' + idMsg)).rc).toBe(INVALID_INPUT);
    expect(sw.process(0x5300, hex('05000c00' + '00' + idMsg)).rc).toBe(INVALID_INPUT);
    const w = wrapInTunnels([{ id: 3 }, { id: 0, targetType: 1 }], 0x0001, new Uint8Array());
    expect(unwrapTunnelResponses(sw.process(w.opcode, w.payload).payload, 1)?.rc).toBe(INVALID_INPUT);
    const w2 = wrapInTunnels([{ id: 3 }, { id: 2 }], 0x0001, new Uint8Array());
    expect(unwrapTunnelResponses(sw.process(w2.opcode, w2.payload).payload, 1)?.rc).toBe(INVALID_INPUT);
  });

  it('cannot go a third level: the LD has no tunnel command', () => {
    const { sw } = fabric();
    const w = wrapInTunnels([{ id: 3 }, { id: 0 }, { id: 0 }], 0x0001, new Uint8Array());
    expect(unwrapTunnelResponses(sw.process(w.opcode, w.payload).payload, 2)?.rc).toBe(UNSUPPORTED);
  });
});
