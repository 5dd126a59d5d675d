// The LD's Vendor Debug log (CXL r3.2 8.2.10.5, Table 8-83 "Vendor Debug" UUID
// 5e1819d9-11a9-400c-811f-d60719403d86). Its contents are vendor-defined; ours is a bounded ring
// of 64-byte records, one per media-wide or firmware event worth telling a support engineer about
// (a sanitize, secure erase or media operation finishing, a firmware activation):
//   0 u64 CCI timestamp (ns, CXL r3.2 8.2.10.4; 0 until the host sets it)
//   8 u32 sequence number (counts every record ever appended, so a reader sees what was dropped
//        or cleared), 0xC u16 opcode, 0xE u16 return code, 0x10 ASCII text[48], NUL padded
// Clear Log empties it (the Linux driver allows Clear Log for this log only); it survives a
// conventional reset but not a cold one, which the model does not have.
// Populate Log (CXL r3.2 8.2.10.5.5) appends one record with a snapshot of the LD's state (its
// opcode field 0404h), so a support engineer can mark the log on demand. Spec-silent: the spec
// defines population triggers only for the Component State Dump Log, which this device does not
// keep; Get Log Capabilities says per log whether Populate Log works, and for this log it does.

import { type DeviceLog, LogCapability } from '../../commands/generic/logs.js';
import { ByteWriter, asciiField, uuidBytes } from '../../util/bytes.js';

export const VENDOR_DEBUG_LOG_UUID = uuidBytes('5e1819d9-11a9-400c-811f-d60719403d86');
export const DEBUG_RECORD_BYTES = 64;
const TEXT_AT = 0x10;
const POPULATE_LOG_OPCODE = 0x0404;

export class VendorDebugLog implements DeviceLog {
  readonly uuid = VENDOR_DEBUG_LOG_UUID;
  readonly capabilities = LogCapability.ClearSupported | LogCapability.PopulateSupported;
  private records: Uint8Array[] = [];
  private sequence = 0;

  /**
   * `maxRecords`: the oldest record is dropped once the log holds this many. `snapshot`: what
   * Populate Log records (the CCI timestamp and a one-line state summary).
   */
  constructor(
    readonly maxRecords = 64,
    private readonly snapshot: () => { timestampNs: bigint; text: string } = () => ({ timestampNs: 0n, text: 'state snapshot' }),
  ) {}

  populate(): void {
    const s = this.snapshot();
    this.append(s.timestampNs, POPULATE_LOG_OPCODE, 0, s.text);
  }

  get size(): number {
    return this.records.length * DEBUG_RECORD_BYTES;
  }

  get count(): number {
    return this.records.length;
  }

  append(timestampNs: bigint, opcode: number, rc: number, text: string): void {
    const rec = new ByteWriter(DEBUG_RECORD_BYTES)
      .u64(0, BigInt.asUintN(64, timestampNs))
      .u32(8, this.sequence)
      .u16(0xc, opcode)
      .u16(0xe, rc)
      .set(TEXT_AT, asciiField(text, DEBUG_RECORD_BYTES - TEXT_AT)).bytes;
    this.sequence = (this.sequence + 1) >>> 0;
    this.records.push(rec);
    if (this.records.length > this.maxRecords) this.records.shift();
  }

  read(): Uint8Array {
    const out = new Uint8Array(this.size);
    this.records.forEach((r, i) => out.set(r, i * DEBUG_RECORD_BYTES));
    return out;
  }

  clear(): void {
    this.records = [];
  }
}
