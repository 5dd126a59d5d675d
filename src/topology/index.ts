export * from './schema.js';
export { validateTopology, type ValidationResult } from './validate.js';
export { parseTopologyText, type ParseResult } from './parse.js';
export { DEFAULT_TOPOLOGY, DEFAULT_TOPOLOGY_SOURCE } from './default.js';
export { buildFabric, switchIdentity, switchSpecOf, type3SpecOf, type BuildOptions, type Fabric } from './build.js';
export { PcieEndpoint } from './pcie-device.js';
