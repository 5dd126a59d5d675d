// CXL r3.2 7.6.7.1.6 Set Domain Validation SV (Opcode 5105h): a host sets the secret value of its
// VCS, once; a second call, or a call from a CCI with no VCS behind it, is Invalid Input.

import { defineCommand, emptyCodec, fail, ok } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { SwitchCciDevice } from './device.js';
import { secretValueCodec, SV_SIZE } from './domain-validation.js';

export const setDomainValidationSvCommand = defineCommand<SwitchCciDevice, Uint8Array, void>({
  opcode: 0x5105,
  name: 'Set Domain Validation SV',
  spec: 'CXL r3.2 7.6.7.1.6',
  input: { fixed: SV_SIZE },
  // The spec lists no command effects for this command.
  effects: 0,
  request: secretValueCodec,
  response: emptyCodec,
  handle: (sv, { device }) => {
    const vcs = device.sw.vcsOfUsp(device.ingressPort);
    if (!vcs) return fail(RC.InvalidInput);
    const rc = device.sw.setDomainValidationSv(vcs.id, sv);
    return rc === RC.Success ? ok(undefined) : fail(rc);
  },
});
