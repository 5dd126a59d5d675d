// The switch's FM-API command sets (CXL r3.2 7.6.7): physical switch (51h), virtual switch (52h)
// and MLD port (53h). The switch CCI combines these with the generic commands.

import type { CommandDef } from '../../cci/command.js';
import { sendLdCxlIoConfigurationRequestCommand } from '../mld-port/send-ld-cxl-io-configuration-request.js';
import { sendLdCxlIoMemoryRequestCommand } from '../mld-port/send-ld-cxl-io-memory-request.js';
import { switchTunnelManagementCommand } from '../mld-port/switch-tunnel-management-command.js';
import { bindVppbCommand } from '../vcs/bind-vppb.js';
import { generateAerEventCommand } from '../vcs/generate-aer-event.js';
import { getVirtualCxlSwitchInfoCommand } from '../vcs/get-virtual-cxl-switch-info.js';
import { unbindVppbCommand } from '../vcs/unbind-vppb.js';
import type { SwitchCciDevice } from './device.js';
import { getDomainValidationSvStateCommand } from './get-domain-validation-sv-state.js';
import { getDomainValidationSvCommand } from './get-domain-validation-sv.js';
import { getPhysicalPortStateCommand } from './get-physical-port-state.js';
import { getVcsDomainValidationSvStateCommand } from './get-vcs-domain-validation-sv-state.js';
import { identifySwitchDeviceCommand } from './identify-switch-device.js';
import { physicalPortControlCommand } from './physical-port-control.js';
import { sendPpbCxlIoConfigurationRequestCommand } from './send-ppb-cxl-io-configuration-request.js';
import { setDomainValidationSvCommand } from './set-domain-validation-sv.js';

export type { SwitchCciDevice } from './device.js';
export {
  bindVppbCommand,
  generateAerEventCommand,
  getDomainValidationSvCommand,
  getDomainValidationSvStateCommand,
  getPhysicalPortStateCommand,
  getVcsDomainValidationSvStateCommand,
  getVirtualCxlSwitchInfoCommand,
  identifySwitchDeviceCommand,
  physicalPortControlCommand,
  sendLdCxlIoConfigurationRequestCommand,
  sendLdCxlIoMemoryRequestCommand,
  sendPpbCxlIoConfigurationRequestCommand,
  setDomainValidationSvCommand,
  switchTunnelManagementCommand,
  unbindVppbCommand,
};

export const switchFmApiCommands: CommandDef<SwitchCciDevice>[] = [
  identifySwitchDeviceCommand,
  getPhysicalPortStateCommand,
  physicalPortControlCommand,
  sendPpbCxlIoConfigurationRequestCommand,
  getDomainValidationSvStateCommand,
  setDomainValidationSvCommand,
  getVcsDomainValidationSvStateCommand,
  getDomainValidationSvCommand,
  getVirtualCxlSwitchInfoCommand,
  bindVppbCommand,
  unbindVppbCommand,
  generateAerEventCommand,
  switchTunnelManagementCommand,
  sendLdCxlIoConfigurationRequestCommand,
  sendLdCxlIoMemoryRequestCommand,
];
