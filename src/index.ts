// The library's public entry point (`import { createSystem } from 'cxlemu'`): build an emulated
// system from a topology, open the host driver with its filter, read the fabric by name. Pure and
// deterministic, like everything in src/: no sockets, files or real time. The websocket client
// is 'cxlemu/client'.

export { createSystem, EmulatorSystem, SWITCH_FUNCTION, type InterruptEvent, type OpenDriverOptions, type SystemEvents, type SystemOptions } from './system.js';
export type { BackgroundDescription, DeviceDescription, LdDescription, PortDescription, SystemDescription, VcsDescription, VppbDescription } from './describe.js';
export { HostDriver, type Completed, type Refused, type SubmitOutcome, type SubmitRequest } from './host/host-driver.js';
export { AuditLog, type AuditEntry } from './host/policy/audit.js';
export { SCOPES, type CommandClass, type Scope } from './host/policy/scopes.js';
export type { TunnelHop } from './commands/tunnel/tunnel-payload.js';
export { DEFAULT_TOPOLOGY, parseTopologyText, validateTopology, type Topology } from './topology/index.js';
export { RC, rcName } from './spec/return-codes.js';
export { CommandCatalog, junitXml, parseFixtureText, runFixture, InProcessTarget, type Fixture, type FixtureResult } from './fixtures/index.js';
