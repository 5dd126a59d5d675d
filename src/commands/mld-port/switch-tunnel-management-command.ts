// CXL r3.2 7.6.7.3.1 Tunnel Management Command (Opcode 5300h) as the switch answers it: the
// shared factory (src/commands/tunnel) with the switch's routing. "Port or LD ID" is an egress
// port; the target is what the device at that DSP exposes for tunnelling (its FM-owned LD, or an
// SLD's own CCI). Anything else is "discarded and ... Invalid Input": no such port, a USP, a
// disabled or empty port, a non-CXL device, a device the FM holds in reset, or Target Type 1 (a
// switch has no LD Pool CCI).

import type { Cci } from '../../cci/cci.js';
import type { CommandContext } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import type { Switch } from '../../switch/switch.js';
import { tunnelManagementCommand } from '../tunnel/tunnel-management-command.js';
import type { SwitchCciDevice } from '../switch/device.js';

export function resolveSwitchTunnelTarget(sw: Switch, portId: number, targetType: number): Cci | number {
  // Bits 7:4 of Target Type are reserved.
  if ((targetType & 0x0f) !== 0) return RC.InvalidInput;
  const port = sw.port(portId);
  // A port held in reset, or whose link is down (a link fault), does not reach its device.
  if (!port || port.role !== 'dsp' || !port.enabled || !port.device || !port.linkUp) return RC.InvalidInput;
  return port.device.tunnelTarget() ?? RC.InvalidInput;
}

/** Why resolveSwitchTunnelTarget refuses a route (the hint beside its Invalid Input). */
export function switchTunnelProblem(sw: Switch, portId: number, targetType: number): string | undefined {
  if ((targetType & 0x0f) !== 0) return `target type ${targetType} is not supported here (0: port or LD)`;
  const port = sw.port(portId);
  if (!port) return `no port ${portId}`;
  if (port.role !== 'dsp') return `port ${portId} is not a downstream port`;
  if (!port.enabled) return `port ${portId} is disabled`;
  if (!port.device) return `no device on port ${portId}`;
  if (port.inReset) return `port ${portId} is held in reset (PERST# asserted)`;
  return port.device.tunnelTarget() ? undefined : `the device on port ${portId} has no CCI to tunnel to`;
}

export const switchTunnelManagementCommand = tunnelManagementCommand<SwitchCciDevice>(
  (ctx: CommandContext<SwitchCciDevice>, id, targetType) => resolveSwitchTunnelTarget(ctx.device.sw, id, targetType),
  (ctx, id, targetType) => switchTunnelProblem(ctx.device.sw, id, targetType),
);
