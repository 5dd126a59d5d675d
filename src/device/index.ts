// Public API of the register-level device model.

export { MmioError, TracingBus, isAccessWidth, type AccessWidth, type MmioAccess, type MmioBus } from './bus.js';
export { bar0Layout, type Bar0Layout, type Bar0LayoutOptions } from './layout.js';
export { buildMailboxFunction, type FunctionEvents, type MailboxFunction, type MailboxFunctionParts, type PciIdentity } from './mailbox-function.js';
export { createSwitchCciFunction, SWITCH_CCI_CLASS_CODE, type SwitchCciFunctionOptions } from './switch-cci-function.js';
export { createMemdevMailboxFunction, MEMDEV_CLASS_CODE, type MemdevMailboxFunctionOptions } from './memdev-mailbox-function.js';
export { ConfigSpace, CONFIG_SPACE_SIZE, mailboxFunctionConfig, type ConfigWrite, type MailboxFunctionConfigOptions } from './pci/config-space.js';
export { MsixController, type InterruptCause, type MsixEvents, type MsixInterrupt } from './pci/msix.js';
export { Mailbox, type MailboxEvents, type MailboxFaults, type MailboxInterrupt, type MailboxOptions, type MailboxTarget } from './registers/mailbox.js';
export {
  capabilityArray,
  CxlCapId,
  deviceStatusBlock,
  MailboxReadiness,
  MediaStatus,
  memdevStatusBlock,
  switchMailboxCciStatusBlock,
  type CapabilityEntry,
  type MemdevStatusSource,
} from './registers/cxl-device-block.js';
export { MCAP_VENDOR_PCI, McapId, MmptRegisters } from './registers/mmpt.js';
export {
  liveRegister,
  MemoryRegion,
  RegionMap,
  RegisterBlock,
  StoredRegister,
  type Field,
  type Region,
  type Register,
} from './registers/register-file.js';
