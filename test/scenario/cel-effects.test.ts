// The Command Effects Log each CCI of the default topology serves, read the way a driver reads it
// (Get Supported Logs / Get Log through the switch mailbox and tunnels), for the commands whose
// effects issue 11 checked against CXL r3.2. Values restate each command's "Command Effects" list
// in Table 8-87 bits: 0 cold reset, 1 immediate config, 2 immediate data, 3 immediate policy,
// 4 immediate log, 6 background, 8 abort supported, 9 CEL[11:10] valid, 10 conventional reset,
// 11 CXL reset.

import { describe, expect, it } from 'vitest';
import { createSystem } from '../../src/system.js';

const RESETS = 0x0001 | 0x0200 | 0x0400 | 0x0800; // the three reset bits with CEL[11:10] Valid

const EXPECTED: [string, { id: number; targetType?: number }[], number, number][] = [
  ['Set Response Message Limit (8.2.10.1.4: none)', [], 0x0004, 0x0000],
  ['Bind vPPB (7.6.7.2.2: background)', [], 0x5201, 0x0040],
  ['Unbind vPPB (7.6.7.2.3: background)', [], 0x5202, 0x0040],
  ['Set Event Interrupt Policy (8.2.10.2.5: policy)', [{ id: 1 }], 0x0103, 0x0008],
  ['Transfer FW (8.2.10.3.2)', [{ id: 1 }], 0x0201, RESETS | 0x0040 | 0x0100],
  ['Activate FW (8.2.10.3.3, foreground here)', [{ id: 1 }], 0x0202, RESETS | 0x0002],
  ['Populate Log (8.2.10.5.5: log)', [{ id: 1 }], 0x0404, 0x0010],
  ['Set Partition Info (8.2.10.9.2.2)', [{ id: 1 }], 0x4101, RESETS | 0x0002 | 0x0004],
  ['Set SLD QoS Control (8.2.10.9.8.2: policy)', [{ id: 1 }], 0x4701, 0x0008],
  ['Set LD Allocations (7.6.7.4.3)', [{ id: 2 }], 0x5402, RESETS | 0x0002 | 0x0004],
  ['Set QoS Allocated BW (7.6.7.4.8)', [{ id: 2 }], 0x5407, RESETS | 0x0002 | 0x0004],
  ['Set QoS BW Limit (7.6.7.4.10)', [{ id: 2 }], 0x5409, RESETS | 0x0002 | 0x0004],
  ['Set DC Region Configuration (7.6.7.6.3)', [{ id: 3 }], 0x5602, RESETS | 0x0002 | 0x0004],
  ['Initiate Dynamic Capacity Add (7.6.7.6.5)', [{ id: 3 }], 0x5604, RESETS | 0x0002 | 0x0004],
  ['Initiate Dynamic Capacity Release (7.6.7.6.6)', [{ id: 3 }], 0x5605, RESETS | 0x0002 | 0x0004],
  ['Dynamic Capacity Add Reference (7.6.7.6.7)', [{ id: 3 }], 0x5606, RESETS | 0x0002],
  ['Dynamic Capacity Remove Reference (7.6.7.6.8)', [{ id: 3 }], 0x5607, RESETS | 0x0002],
  ['Dynamic Capacity List Tags (7.6.7.6.9: none)', [{ id: 3 }], 0x5608, 0x0000],
  ['Get Multi-Headed Info (7.6.7.5.1: none)', [{ id: 5 }, { id: 0, targetType: 1 }], 0x5500, 0x0000],
  ['Get Head Info (7.6.7.5.2: none)', [{ id: 8 }, { id: 0, targetType: 1 }], 0x5501, 0x0000],
];

describe('CEL effects restated from CXL r3.2', () => {
  it.each(EXPECTED)('%s', async (_name, route, opcode, effects) => {
    const drv = await createSystem().openDriver();
    const cel = drv.cci(route)?.cel;
    expect(cel?.get(opcode)?.toString(16).padStart(4, '0')).toBe(effects.toString(16).padStart(4, '0'));
  });
});
