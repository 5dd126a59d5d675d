// MMPT: where it lives and how its messages look. This is the ONE place the project's reading of
// "Management Message Passthrough via MMIO Mailbox" (PCIe r6.3 6.35.1.4, 6.36.1; PCI-SIG ECN
// 20109) is written down; every other MMPT file points here.
//
// 1. Out of the CXL opcode space. CXL r3.2 8.2.10 identifies a mailbox command by its 2-byte opcode
//    AND the vendor ID of the body that defines it; the CXL tables are headed "Vendor ID = 1E98h or
//    0000h" (0000h for software that predates the vendor ID). The CXL primary mailbox is "CXL
//    defined extensions to the PCIe MMB registers" (8.2.9.4) and a component with both aliases the
//    MMB onto it, so PCIe's own MMB commands (MMPT Send Message 0100h, Receive Message 0101h) and
//    CXL's Get/Clear Event Records (0100h/0101h) arrive at the same register set and are told apart
//    only by that vendor ID. Our interpretation of where the vendor ID travels: bits 63:48 of the
//    Command register (r3.2 8.2.9.4.5 leaves 63:37 to the MMB definition; the ECN's bit layout is
//    not public). A legacy CXL driver writes 0 there and gets the CXL command; 1E98h is the same;
//    0001h (PCI-SIG, the MCAP vendor of the MMB and MMPT capabilities) selects the MMB command set,
//    which is MMPT's two commands; any other vendor ID is answered Unsupported. The CEL lists CXL
//    commands only: it has no vendor field, so an MMB command never appears in it.
// 2. Message framing (the ECN's formats are not public): a management message is one message-type
//    byte, as in the MCTP bindings, then a whole CCI message (12-byte header + payload). Type 07h
//    carries FM-API (DSP0234: command sets 51h-56h only), type 08h the CXL CCI sets (DSP0281: every
//    other set); a command sent under the wrong type is answered Unsupported inside the response.
// 3. The queue. Send Message runs the message on the CXL CCI behind the same mailbox and queues the
//    response; Receive Message hands back the oldest queued response (empty when none waits). The
//    MMPT capability's notification register and interrupt report a waiting response. The device
//    has one queue, as it has one mailbox: it cannot tell requesters apart. Keeping one requester
//    from taking or blocking another's responses is the host driver's job (one MMPT channel per
//    caller, src/host/mmpt-channel.ts), the way an OS serialises use of a shared mailbox.

/** CXL r3.2 8.2.10: the vendor IDs under which an opcode means the CXL command of that number. */
export const CXL_VENDOR_ID = 0x1e98;
export const CXL_LEGACY_VENDOR_ID = 0x0000;
/** PCI-SIG defined MMB commands (the vendor ID of the MMB/MMPT MCAP entries, PCIe r6.3 6.35.1.2). */
export const PCI_SIG_VENDOR_ID = 0x0001;

export const MMPT_SEND_MESSAGE = 0x0100;
export const MMPT_RECEIVE_MESSAGE = 0x0101;

/** Who defines the command an opcode names under this Command Opcode Vendor ID. */
export function commandSetOwner(vendorId: number): 'cxl' | 'pci-sig' | 'unknown' {
  if (vendorId === CXL_VENDOR_ID || vendorId === CXL_LEGACY_VENDOR_ID) return 'cxl';
  if (vendorId === PCI_SIG_VENDOR_ID) return 'pci-sig';
  return 'unknown';
}

export const MessageType = { FmApi: 0x07, CxlCci: 0x08 } as const;

export function isFmApiOpcode(opcode: number): boolean {
  const set = opcode >> 8;
  return set >= 0x51 && set <= 0x56;
}

/** The message type a command must travel under. */
export function messageTypeFor(opcode: number): number {
  return isFmApiOpcode(opcode) ? MessageType.FmApi : MessageType.CxlCci;
}
