// CXL r3.2 8.2.10.3.2 Transfer FW (Opcode 0201h): move a firmware package into a slot, whole
// (Full) or in parts (Initiate, Continue, End), or drop a partial transfer (Abort). Writing the
// package into the slot is the background part (Full and End); Initiate and Continue only buffer.
// Offsets count 128-byte units and must follow on from what was received, in order, except that
// the part just received may be sent again straight away ("Back-to-back retransmission of any FW
// package part is permitted during a transfer", with the worked example of bytes 100h-1FFh sent
// twice): an updater that retries a chunk after a timeout must not lose the update. A part out of
// order answers FW Transfer Out of Order and, as that code's definition says ("The FW package
// transfer was aborted"), drops the transfer; so does a gap of more than 30 s between parts.
// Choices where the spec is silent: a retransmission must repeat the previous part's offset and
// length (its data replaces the earlier copy); a retransmitted Initiate is still FW Transfer in
// Progress, because the spec names that code for any Initiate during a transfer.

import { decoded, defineCommand, emptyCodec, fail, invalid, ok } from '../../cci/command.js';
import { CONFIG_AFTER_ANY_RESET, Effect } from '../../spec/effects.js';
import { RC } from '../../spec/return-codes.js';
import type { LdContext } from '../../type3/logical-device.js';
import { FirmwareSlots, FW_TRANSFER_UNIT, type FirmwareTransfer } from '../../type3/ld/firmware-slots.js';
import { ByteWriter, concatBytes } from '../../util/bytes.js';
import { requestCodec } from '../memdev/codecs.js';

export const FwAction = { Full: 0, Initiate: 1, Continue: 2, End: 3, Abort: 4 } as const;

export interface TransferFwRequest {
  readonly action: number;
  readonly slot: number;
  /** Byte offset (the field counts 128-byte units). */
  readonly offset: number;
  readonly data: Uint8Array;
}

const HEADER = 0x80;
/** CXL r3.2 8.2.10.3.2: "The timeout between FW package parts is 30 seconds". */
export const FW_PART_TIMEOUT_MS = 30_000;

/** Modelled time to write a package into a slot: 500 ms plus 1 ms per KiB. */
export function fwCommitMs(bytes: number): number {
  return 500 + Math.ceil(bytes / 1024);
}

export const transferFwCommand = defineCommand({
  opcode: 0x0201,
  name: 'Transfer FW',
  spec: 'CXL r3.2 8.2.10.3.2',
  input: { min: HEADER },
  effects: CONFIG_AFTER_ANY_RESET | Effect.BackgroundOperation | Effect.RequestAbortSupported,
  request: requestCodec<TransferFwRequest>(
    (r) => {
      const action = r.u8(0);
      if (action > FwAction.Abort) return invalid();
      return decoded({ action, slot: r.u8(1), offset: r.u32(4) * FW_TRANSFER_UNIT, data: r.slice(HEADER, r.length - HEADER) });
    },
    (v) => new ByteWriter(HEADER + v.data.length).u8(0, v.action).u8(1, v.slot).u32(4, v.offset / FW_TRANSFER_UNIT).set(HEADER, v.data).bytes,
  ),
  response: emptyCodec,
  fields: {
    request: {
      fields: [
        { name: 'action', spec: 'Action', at: 0, type: 'u8', enum: { 0: 'Full FW Transfer', 1: 'Initiate FW Transfer', 2: 'Continue FW Transfer', 3: 'End Transfer', 4: 'Abort Transfer' }, max: 4 },
        { name: 'slot', spec: 'Slot', at: 1, type: 'u8' },
        { name: 'offset', spec: 'Offset', at: 4, type: 'u32', scale: FW_TRANSFER_UNIT, unit: 'bytes (multiple of 128)' },
        { name: 'data', spec: 'Data', at: HEADER, type: 'bytes', length: 'rest', maxLength: 32 },
      ],
      size: HEADER,
    },
  },
  handle: (req, { device, cci }: LdContext) => {
    const fw = device.firmware;
    const now = cci.clock.now();
    if (fw.transfer?.lastPartAtMs !== undefined && now - fw.transfer.lastPartAtMs > FW_PART_TIMEOUT_MS) fw.transfer = undefined;
    /** Out of order: the transfer is dropped (Table 8-46: "The FW package transfer was aborted"). */
    const outOfOrder = () => {
      fw.transfer = undefined;
      return fail(RC.FwTransferOutOfOrder);
    };
    /**
     * Where a Continue/End part goes: after what was received, or over the last part when it
     * repeats that part's offset and length back to back. Undefined = out of order.
     */
    const place = (t: FirmwareTransfer): 'append' | 'replace' | undefined => {
      if (req.offset === t.received) return 'append';
      const last = t.data.at(-1);
      return last && req.offset === t.lastOffset && req.data.length === last.length ? 'replace' : undefined;
    };
    const accept = (t: FirmwareTransfer, how: 'append' | 'replace') => {
      if (how === 'replace') {
        t.data.pop();
        t.received = req.offset;
      }
      t.data.push(req.data);
      t.lastOffset = req.offset;
      t.received += req.data.length;
      t.lastPartAtMs = now;
    };
    // The slot written must exist and must not be the one running (CXL r3.2 8.2.10.3.2).
    const slotOk = (slot: number): boolean => fw.validSlot(slot) && slot !== fw.active;
    const commit = (image: Uint8Array, slot: number) => {
      const revision = FirmwareSlots.verify(image);
      if (revision === undefined) return undefined;
      // The package counts as in transfer until it is in the slot (Activate FW waits for it).
      fw.transfer = { data: [], received: image.length, committing: true };
      return {
        background: {
          durationMs: fwCommitMs(image.length),
          complete: () => {
            fw.commit(slot, revision);
            fw.transfer = undefined;
            return RC.Success;
          },
          abort: () => {
            fw.transfer = undefined;
          },
        },
      };
    };

    switch (req.action) {
      case FwAction.Full: {
        // Table 8-xx Offset: "Ignored if Action = Full FW Transfer".
        if (fw.transfer) return fail(RC.FwTransferInProgress);
        if (!slotOk(req.slot)) return fail(RC.InvalidSlot);
        return commit(req.data, req.slot) ?? fail(RC.FwVerificationFailed);
      }
      case FwAction.Initiate: {
        if (fw.transfer) return fail(RC.FwTransferInProgress);
        if (req.offset !== 0) return fail(RC.FwTransferOutOfOrder);
        fw.transfer = { data: [req.data], received: req.data.length, lastOffset: 0, lastPartAtMs: now };
        return ok(undefined);
      }
      case FwAction.Continue: {
        const t = fw.transfer;
        if (t?.committing) return fail(RC.FwTransferInProgress);
        const how = t && place(t);
        if (!t || !how) return outOfOrder();
        accept(t, how);
        return ok(undefined);
      }
      case FwAction.End: {
        const t = fw.transfer;
        if (t?.committing) return fail(RC.FwTransferInProgress);
        const how = t && place(t);
        if (!t || !how) return outOfOrder();
        if (!slotOk(req.slot)) return fail(RC.InvalidSlot);
        const parts = how === 'replace' ? t.data.slice(0, -1) : t.data;
        const job = commit(concatBytes(...parts, req.data), req.slot);
        if (!job) {
          // A package that fails verification is dropped; the host starts over.
          fw.transfer = undefined;
          return fail(RC.FwVerificationFailed);
        }
        return job;
      }
      default: {
        // Abort: drop a partial transfer; nothing in progress is not an error.
        fw.transfer = undefined;
        return ok(undefined);
      }
    }
  },
});
