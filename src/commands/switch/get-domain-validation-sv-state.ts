// CXL r3.2 7.6.7.1.5 Get Domain Validation SV State (Opcode 5104h): a host asks whether its own
// VCS (the one whose USP the request came in on) has a secret value. A CCI not reached through a
// USP has no VCS of its own and always reads "not set".

import { defineCommand, emptyCodec, ok } from '../../cci/command.js';
import type { SwitchCciDevice } from './device.js';
import { SecretValueState, secretValueStateCodec } from './domain-validation.js';

export const getDomainValidationSvStateCommand = defineCommand<SwitchCciDevice, void, number>({
  opcode: 0x5104,
  name: 'Get Domain Validation SV State',
  spec: 'CXL r3.2 7.6.7.1.5',
  input: { fixed: 0 },
  effects: 0,
  request: emptyCodec,
  response: secretValueStateCodec,
  handle: (_req, { device }) =>
    ok(device.sw.vcsOfUsp(device.ingressPort)?.domainValidationSv ? SecretValueState.Set : SecretValueState.NotSet),
});
