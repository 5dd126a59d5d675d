// BAR0 of a mailbox function: every offset is derived here from block sizes and alignment rules,
// so a different payload size or vector count moves the blocks behind it and nothing else
// repeats a number. The map for the switch CCI defaults (1024-byte payload, MCAP + MMPT,
// 2 MSI-X vectors):
//
//   BAR0 (64-bit memory, 128 KiB)
//   0x00000 +------------------------------------------+ <- Register Locator DVSEC block 3
//           | CXL Device Capabilities Array (8.2.8.1)   |    (CXL device registers)
//   0x00010 |  header: Device Status          (ID 1)    |
//   0x00020 |  header: Primary Mailbox        (ID 2)    |
//   0x00030 |  header: Switch Mailbox CCI / Memory      |
//           |          Device Status          (ID 4000h)|
//   0x00040 +------------------------------------------+
//           | Device Status registers (8.2.8.3)   8 B   |
//   0x00048 | Status (ID 4000h) register          8 B   |
//   0x00080 +------------------------------------------+ <- also MCAP MMB (vendor 0001h, ID 0001h)
//           | Primary Mailbox (8.2.8.4)                 |
//           |  +00 Capabilities  +04 Control            |
//           |  +08 Command       +10 Status             |
//           |  +18 Background Command Status            |
//   0x000a0 |  +20 Command Payload (2^n bytes)          |
//   0x004a0 +------------------------------------------+
//           | (reserved, reads 0)                       |
//   0x10000 +------------------------------------------+ <- MRBL locator, block ID 01h (MCAP)
//           | MCAP Array (PCIe r6.3 6.35.1)              |
//   0x10010 |  header: MMB  -> 0x00080                  |
//   0x10020 |  header: MMPT -> 0x10040                  |
//   0x10040 | MMPT registers (PCIe r6.3 6.35.1.4) 16 B  |
//   0x11000 +------------------------------------------+ <- MSI-X Table Offset/BIR
//           | MSI-X table, 16 B per vector             |
//   0x11020 | MSI-X PBA, 8 B per 64 vectors            | <- MSI-X PBA Offset/BIR
//           +------------------------------------------+
//
// Why these alignments: register locator offsets (both the CXL Register Locator DVSEC and MRBL)
// carry only offset bits 31:16, so located blocks start on 64 KiB boundaries; the MSI-X table
// gets its own 4 KiB page (PCIe r6.x 6.1.4.2 recommends not sharing it with other registers);
// the BAR is a power of two (PCIe BAR sizing).

/** Capability header slot size in both capability arrays. */
export const CAP_HEADER_SIZE = 0x10;
/** Mailbox register bytes before the payload (CXL r3.2 8.2.8.4). */
export const MAILBOX_PAYLOAD_OFFSET = 0x20;
export const DEVICE_STATUS_SIZE = 8;
export const STATUS_4000_SIZE = 8;
export const MMPT_REGS_SIZE = 0x10;
export const MSIX_TABLE_ENTRY_SIZE = 16;
/** Register locator offsets hold only bits 31:16. */
export const LOCATOR_ALIGN = 0x10000;

export interface Bar0LayoutOptions {
  /** log2 of the mailbox payload size (CXL r3.2 8.2.8.4.3: 8..20). */
  readonly payloadSizeLog2: number;
  /** Number of entries in the CXL Device Capabilities Array. */
  readonly cxlCapCount: number;
  /** Build an MCAP array (MMB alias, optional MMPT). */
  readonly mcap: boolean;
  readonly mmpt: boolean;
  readonly msixVectors: number;
}

export interface Bar0Layout {
  readonly size: number;
  readonly cxlCapArray: number;
  readonly cxlCapArraySize: number;
  readonly deviceStatus: number;
  readonly status4000: number;
  readonly mailbox: number;
  readonly mailboxSize: number;
  readonly payloadSize: number;
  /** Undefined when the function has no MCAP array. */
  readonly mcapArray: number | undefined;
  readonly mcapArraySize: number;
  readonly mmpt: number | undefined;
  readonly msixTable: number;
  readonly msixTableSize: number;
  readonly msixPba: number;
  readonly msixPbaSize: number;
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function pow2ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function bar0Layout(o: Bar0LayoutOptions): Bar0Layout {
  if (!Number.isInteger(o.payloadSizeLog2) || o.payloadSizeLog2 < 8 || o.payloadSizeLog2 > 20) {
    throw new Error(`payload size 2^${o.payloadSizeLog2} is outside the spec's 2^8..2^20`);
  }
  const payloadSize = 2 ** o.payloadSizeLog2;
  const cxlCapArray = 0;
  const cxlCapArraySize = CAP_HEADER_SIZE * (1 + o.cxlCapCount);
  const deviceStatus = alignUp(cxlCapArray + cxlCapArraySize, 0x10);
  const status4000 = deviceStatus + DEVICE_STATUS_SIZE;
  // The mailbox starts on a 128-byte boundary so its payload window is at least 32-byte aligned.
  const mailbox = alignUp(status4000 + STATUS_4000_SIZE, 0x80);
  const mailboxSize = MAILBOX_PAYLOAD_OFFSET + payloadSize;
  let end = mailbox + mailboxSize;

  let mcapArray: number | undefined;
  let mmpt: number | undefined;
  const mcapArraySize = o.mcap ? CAP_HEADER_SIZE * (1 + 1 + (o.mmpt ? 1 : 0)) : 0;
  if (o.mcap) {
    mcapArray = alignUp(end, LOCATOR_ALIGN);
    end = mcapArray + mcapArraySize;
    if (o.mmpt) {
      mmpt = alignUp(end, 0x40);
      end = mmpt + MMPT_REGS_SIZE;
    }
  }
  const msixTable = alignUp(end, 0x1000);
  const msixTableSize = o.msixVectors * MSIX_TABLE_ENTRY_SIZE;
  const msixPba = alignUp(msixTable + msixTableSize, 8);
  const msixPbaSize = Math.ceil(o.msixVectors / 64) * 8;
  end = msixPba + msixPbaSize;

  return {
    size: pow2ceil(end),
    cxlCapArray,
    cxlCapArraySize,
    deviceStatus,
    status4000,
    mailbox,
    mailboxSize,
    payloadSize,
    mcapArray,
    mcapArraySize,
    mmpt,
    msixTable,
    msixTableSize,
    msixPba,
    msixPbaSize,
  };
}
