// CXL r3.2 7.6.7.1.8 Get Domain Validation SV (Opcode 5107h): the FM reads a VCS's secret value.
// Unknown VCS → Invalid Input; a VCS whose value was never set returns the nil UUID (all zero),
// which 5106h already reports as "not set".

import { defineCommand, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { SwitchCciDevice } from './device.js';
import { secretValueCodec, SV_SIZE, vcsIdCodec } from './domain-validation.js';

export const getDomainValidationSvCommand = defineCommand<SwitchCciDevice, number, Uint8Array>({
  opcode: 0x5107,
  name: 'Get Domain Validation SV',
  spec: 'CXL r3.2 7.6.7.1.8',
  input: { fixed: 1 },
  effects: 0,
  request: vcsIdCodec,
  response: secretValueCodec,
  handle: (vcsId, { device }) => {
    const vcs = device.sw.vcs(vcsId);
    if (!vcs) return fail(RC.InvalidInput);
    return ok(vcs.domainValidationSv?.slice() ?? new Uint8Array(SV_SIZE));
  },
});
