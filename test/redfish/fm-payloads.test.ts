// The FM-API requests Redfish writes turn into, byte by byte (CXL r3.2 7.6.7.1.3 Physical Port
// Control, 7.6.7.2.2 Bind vPPB, 7.6.7.2.3 Unbind vPPB, 7.6.7.4.3 Set LD Allocations), written out
// here rather than through the codecs the mappers use, so a codec change cannot pass unnoticed.

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { FabricView } from '../../emulator/redfish/fabric-view.js';
import { allocationRequest, bindRequest, portResetRequest, unbindRequest, type FmRequest } from '../../emulator/redfish/writes.js';
import { isError, type RedfishError } from '../../emulator/redfish/common.js';
import { makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const EP = '/redfish/v1/Fabrics/CXL/Endpoints';
const wire = (r: FmRequest | RedfishError): [number, string] => {
  if (isError(r)) throw new Error(JSON.stringify(r.body));
  return [r.opcode, Buffer.from(r.payload).toString('hex')];
};

describe('Redfish writes as FM-API payloads', () => {
  it('Bind vPPB: VCS, vPPB, port, reserved, LD FFFFh for a whole port', async () => {
    app = await makeApp();
    const view = new FabricView(app.cxlemu.system);
    const body = { Links: { InitiatorEndpoints: [{ '@odata.id': `${EP}/Host0` }], TargetEndpoints: [{ '@odata.id': `${EP}/Port6` }] }, Oem: { Cxlemu: { VppbId: 4 } } };
    expect(wire(bindRequest(view, body))).toEqual([0x5201, '000406' + '00' + 'ffff']);
  });

  it('Unbind vPPB with Managed Hot-Remove, Physical Port Control, Set LD Allocations', () => {
    expect(wire(unbindRequest(2, 3))).toEqual([0x5202, '020301']);
    expect(wire(portResetRequest(5, { ResetType: 'ForceOff' }))).toEqual([0x5102, '0500']);
    expect(wire(portResetRequest(5, { ResetType: 'On' }))).toEqual([0x5102, '0501']);
    expect(wire(portResetRequest(5, {}))).toEqual([0x5102, '0502']);
    // LD 1: 1 GiB with 256 MiB persistent is range 1 = 3, range 2 = 1 (256 MiB units).
    expect(wire(allocationRequest(1, 1n, { MemoryChunkSizeMiB: 1024 }))).toEqual([0x5402, '0101' + '0000' + '0300000000000000' + '0100000000000000']);
  });
});
