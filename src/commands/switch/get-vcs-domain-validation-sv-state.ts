// CXL r3.2 7.6.7.1.7 Get VCS Domain Validation SV State (Opcode 5106h): the FM asks whether a
// given VCS holds a secret value. The spec lists no error for an unknown VCS ID; we answer
// Invalid Input rather than invent a state for a VCS that does not exist.

import { defineCommand, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { SwitchCciDevice } from './device.js';
import { SecretValueState, secretValueStateCodec, vcsIdCodec } from './domain-validation.js';

export const getVcsDomainValidationSvStateCommand = defineCommand<SwitchCciDevice, number, number>({
  opcode: 0x5106,
  name: 'Get VCS Domain Validation SV State',
  spec: 'CXL r3.2 7.6.7.1.7',
  input: { fixed: 1 },
  effects: 0,
  request: vcsIdCodec,
  response: secretValueStateCodec,
  handle: (vcsId, { device }) => {
    const vcs = device.sw.vcs(vcsId);
    if (!vcs) return fail(RC.InvalidInput);
    return ok(vcs.domainValidationSv ? SecretValueState.Set : SecretValueState.NotSet);
  },
});
