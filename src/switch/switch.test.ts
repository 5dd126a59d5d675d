import { describe, expect, it } from 'vitest';
import { fakeDevice, TEST_SWITCH_SPEC } from '../../test/switch/harness.js';
import { VirtualClock } from '../time/clock.js';
import { Switch } from './switch.js';

const SUCCESS = 0x00;
const INVALID_INPUT = 0x02;
const RETRY_REQUIRED = 0x05;

function build() {
  const clock = new VirtualClock('manual');
  const sw = new Switch(TEST_SWITCH_SPEC, clock);
  const mld = fakeDevice(clock, 'mld', 4);
  sw.attachDevice(2, mld);
  return { clock, sw, mld };
}

describe('Switch model', () => {
  it('numbers vPPBs as 7.1.4 does: vPPB 0 is the USP, bound to it for good', () => {
    const { sw } = build();
    expect(sw.vcs(0)?.vppbs).toEqual([{ kind: 'bound', port: 0, ld: undefined }, ...new Array(4).fill({ kind: 'unbound' })]);
    expect(sw.totalVppbs()).toBe(8);
    expect(sw.boundVppbs()).toBe(2);
    expect(sw.vcsOfUsp(5)?.id).toBe(1);
  });

  it('a started bind can be completed or abandoned, with an event each time', () => {
    const { sw } = build();
    const events: string[] = [];
    sw.events.on('vppb-changed', (e) => events.push(`${e.vppb}:${e.state.kind}`));
    expect(sw.checkBind(0, 1, 2, 3)).toBe(SUCCESS);
    const t = sw.startBind(0, 1, 2, 3);
    expect(sw.isBound(2, 3)).toBe(true); // an in-progress bind already holds the LD
    expect(sw.checkBind(1, 1, 2, 3)).toBe(INVALID_INPUT);
    t.abort();
    expect(sw.vcs(0)?.vppbs[1]).toEqual({ kind: 'unbound' });
    expect(sw.checkBind(1, 1, 2, 3)).toBe(SUCCESS);
    expect(events).toEqual(['1:binding', '1:unbound']);
  });

  it('an aborted unbind restores the binding', () => {
    const { sw } = build();
    sw.bindNow(0, 1, 2, 0);
    const t = sw.startUnbind(0, 1);
    expect(sw.hostView(0)).toEqual([]);
    t.abort();
    expect(sw.hostView(0).map((v) => [v.port, v.ld])).toEqual([[2, 0]]);
  });

  it('refuses to construct an inconsistent switch', () => {
    const clock = new VirtualClock('manual');
    expect(() => new Switch({ ...TEST_SWITCH_SPEC, vcss: [{ id: 0, uspPort: 1, downstreamVppbs: 1 }] }, clock)).toThrow(/not a USP/);
    expect(() => new Switch({ ...TEST_SWITCH_SPEC, ports: [...TEST_SWITCH_SPEC.ports, TEST_SWITCH_SPEC.ports[0]!] }, clock)).toThrow(/twice/);
  });

  it('hot add and remove change presence and link state', () => {
    const { sw, clock } = build();
    const events: string[] = [];
    sw.events.on('port-changed', (e) => events.push(`${e.port}:${e.change}`));
    sw.attachDevice(4, fakeDevice(clock, 'sld'));
    expect(sw.port(4)?.ltssm).toBe(0x04);
    expect(() => sw.attachDevice(4, fakeDevice(clock, 'sld'))).toThrow();
    sw.detachDevice(4);
    expect(sw.port(4)?.ltssm).toBe(0x00);
    expect(sw.port(4)?.linkStateFlags).toBe(0);
    expect(events).toEqual(['4:device-attached', '4:device-detached']);
  });

  it('PERST# events, reset of the device, and the hold time', () => {
    const { sw, clock, mld } = build();
    const events: string[] = [];
    sw.events.on('port-changed', (e) => events.push(e.change));
    expect(sw.assertPerst(2)).toBe(SUCCESS);
    expect(mld.resets).toBe(1);
    clock.advance(50);
    expect(sw.deassertPerst(2)).toBe(RETRY_REQUIRED);
    clock.advance(50);
    expect(sw.deassertPerst(2)).toBe(SUCCESS);
    expect(events).toEqual(['perst-asserted', 'perst-deasserted']);
  });
});

describe('PPB configuration space', () => {
  it('is a type-1 bridge header with a PCIe capability describing the port', () => {
    const { sw } = build();
    const cfg = sw.port(2)!.config;
    expect(cfg.read(0x08, 4) >>> 8).toBe(0x060400); // class code: PCI-to-PCI bridge
    expect(cfg.read(0x0e, 1)).toBe(0x01); // header type 1
    expect(cfg.read(0x34, 1)).toBe(0x40);
    expect(cfg.read(0x40, 2)).toBe(0x0010); // PCIe capability, last in list
    expect(cfg.read(0x42, 2)).toBe(0x0162); // v2, downstream port of a switch, slot implemented
    expect(cfg.read(0x6c, 4)).toBe(0x7e); // supported speeds 2.5-64 GT/s
    expect(cfg.read(0x5a, 2)).toBe(0x0040); // presence detect
    expect(cfg.read(0x1000, 4)).toBe(0xffffffff); // outside config space
  });

  it('masks writes to writable bits only', () => {
    const { sw } = build();
    const cfg = sw.port(2)!.config;
    cfg.write(0x04, 2, 0xffff);
    expect(cfg.read(0x04, 2)).toBe(0x0547);
    cfg.write(0x20, 4, 0xffffffff);
    expect(cfg.read(0x20, 4)).toBe(0xfff0fff0);
    cfg.write(0x00, 4, 0);
    expect(cfg.read(0x00, 4)).toBe(0xa1291e98);
  });
});
