// Enumerations several command schemas share (names as the spec's tables give them).

/** CXL r3.2 Table 7-19, Current Port Configuration State. */
export const PORT_CONFIG_STATE = { 0: 'Disabled', 1: 'Bind in progress', 2: 'Unbind in progress', 3: 'DSP', 4: 'USP', 5: 'Fabric Port', 0xf: 'Invalid Port ID' } as const;
/** CXL r3.2 Table 7-19, Connected Device Mode. */
export const CONNECTED_DEVICE_MODE = { 0: 'Not CXL or disconnected', 1: 'RCD mode', 2: '68B Flit and VH', 3: '256B Flit', 4: 'Latency-Optimized 256B Flit', 5: 'PBR mode' } as const;
/** CXL r3.2 Table 7-19, Connected Device Type. */
export const CONNECTED_DEVICE_TYPE = { 0: 'No device detected', 1: 'PCIe Device', 2: 'CXL Type 1 device', 3: 'CXL Type 2 device', 4: 'CXL Type 3 SLD', 5: 'CXL Type 3 MLD' } as const;
/** CXL r3.2 Table 7-19, LTSSM State. */
export const LTSSM_STATE = { 0: 'Detect', 1: 'Polling', 2: 'Configuration', 3: 'Recovery', 4: 'L0', 5: 'L0s', 6: 'L1', 7: 'L2', 8: 'Disabled', 9: 'Loopback', 0xa: 'Hot Reset' } as const;
/** PCIe Link Capabilities, Max/Current Link Speed encodings. */
export const LINK_SPEED = { 1: '2.5 GT/s', 2: '5 GT/s', 3: '8 GT/s', 4: '16 GT/s', 5: '32 GT/s', 6: '64 GT/s' } as const;
/** CXL r3.2 Table 7-32, VCS State. */
export const VCS_STATE = { 0: 'Disabled', 1: 'Enabled', 0xff: 'Invalid VCS ID' } as const;
/** CXL r3.2 Table 7-32, PPB Binding Status. */
export const BINDING_STATUS = { 0: 'Unbound', 1: 'Bind or unbind in progress', 2: 'Bound Physical Port', 3: 'Bound LD' } as const;
/** CXL r3.2 7.6.7.2.3, Unbind Option. */
export const UNBIND_OPTION = { 0: 'Wait for port link down', 1: 'Simulate managed hot-remove', 2: 'Simulate surprise hot-remove' } as const;
/** CXL r3.2 8.2.10.2.2, Event Log. */
export const EVENT_LOG = { 0: 'Informational', 1: 'Warning', 2: 'Failure', 3: 'Fatal', 4: 'Dynamic Capacity' } as const;
/** CXL r3.2 Table 8-67, Interrupt Mode of an event log's interrupt setting. */
export const INTERRUPT_MODE = { 0: 'No interrupts', 1: 'MSI/MSI-X', 2: 'FW Interrupt (EFN VDM)' } as const;
/** CXL r3.2 Table 8-60, the MCTP Event Interrupt Policy bits (one per event log). */
export const MCTP_EVENT_POLICY_FLAGS = { 0: 'Informational', 1: 'Warning', 2: 'Failure', 3: 'Fatal', 4: 'Dynamic Capacity' } as const;
