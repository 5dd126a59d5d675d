// The host's view of the register layout: offsets and fields as the spec defines them. Kept apart
// from the device model's layout on purpose: the driver finds the mailbox by walking the
// capability array, as a real driver must, and a wrong constant on one side cannot agree with
// itself on the other.

/** CXL r3.2 8.2.8.1-8.2.8.2 Device Capabilities Array / headers. */
export const CAP_ARRAY_COUNT_SHIFT = 32n;
export const CAP_HEADER_SIZE = 0x10;
export const CAP_ID_DEVICE_STATUS = 0x0001;
export const CAP_ID_PRIMARY_MAILBOX = 0x0002;
export const CAP_ID_SECONDARY_MAILBOX = 0x0003;
/** Memory Device Status on a type 3; Switch Mailbox CCI Status on a switch CCI (8.2.8.6). */
export const CAP_ID_STATUS_4000 = 0x4000;

/** CXL r3.2 8.2.8.4 mailbox registers, relative to the mailbox capability. */
export const MB_CAPS = 0x00;
export const MB_CTRL = 0x04;
export const MB_CMD = 0x08;
export const MB_STATUS = 0x10;
export const MB_BG_STATUS = 0x18;
export const MB_PAYLOAD = 0x20;

export const CAPS_PAYLOAD_SIZE_MASK = 0x1f;
export const CAPS_DOORBELL_IRQ = 1 << 5;
export const CAPS_BG_IRQ = 1 << 6;
export const CAPS_MSG_NUMBER_SHIFT = 7;

export const CTRL_DOORBELL = 1 << 0;
export const CTRL_DOORBELL_IRQ = 1 << 1;
export const CTRL_BG_IRQ = 1 << 2;

export const STATUS_BG = 1n;

/** Switch Mailbox CCI Status bit 0 / Memory Device Status bit 4: Mailbox Interfaces Ready. */
export const SWITCH_STATUS_READY = 1n << 0n;
export const MEMDEV_STATUS_READY = 1n << 4n;

/** PCI config: class code register and the Register Locator DVSEC (CXL r3.2 8.1.9). */
export const PCI_CLASS_REVISION = 0x08;
export const PCI_EXT_CAP_START = 0x100;
export const PCI_EXT_CAP_ID_DVSEC = 0x0023;
export const CXL_DVSEC_VENDOR = 0x1e98;
export const CXL_DVSEC_REGISTER_LOCATOR = 0x0008;
export const REGISTER_BLOCK_DEVICE = 0x03;
