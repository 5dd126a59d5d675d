// MCTP control messages (message type 0x00; DSP0236 12 "MCTP control messages"): the ones a
// fabric-manager client needs before it talks CXL to us.
//
//   request:  0 IC|type (0x00), 1 Rq (bit 7) | D (bit 6) | rsvd | instance ID (4:0), 2 command, 3.. data
//   response: 0 type, 1 Rq=0 | D=0 | instance ID echoed, 2 command, 3 completion code, 4.. data
//
// The TCP stream pads every message to whole 64-byte packets and control messages carry no
// length, so trailing bytes are padding and are ignored; nothing here can check request length.
// Pure: the endpoint ID state is the caller's.

export const MCTP_TYPE_CONTROL = 0x00;

export const ControlCommand = {
  SetEndpointId: 0x01,
  GetEndpointId: 0x02,
  GetEndpointUuid: 0x03,
  GetMctpVersionSupport: 0x04,
  GetMessageTypeSupport: 0x05,
} as const;

/** DSP0236 Table 13 completion codes, plus Get MCTP Version Support's own 0x80. */
export const ControlCc = {
  Success: 0x00,
  Error: 0x01,
  InvalidData: 0x02,
  InvalidLength: 0x03,
  NotReady: 0x04,
  UnsupportedCmd: 0x05,
  MessageTypeNotSupported: 0x80,
} as const;

/** Endpoint ID state of one endpoint on one bus (here: one TCP connection). */
export interface EidState {
  /** The EID this endpoint answers to now. */
  eid: number;
  /** The EID it has before any Set Endpoint ID, and returns to on Reset EID. */
  readonly staticEid: number;
}

/**
 * Versions reported by Get MCTP Version Support, per message type (DSP0236 12.6: four bytes each,
 * major/minor/update as 0xF0 | digit, then alpha; 0xFF asks for the base specification).
 */
export const SUPPORTED_VERSIONS: ReadonlyMap<number, readonly (readonly [number, number, number, number])[]> = new Map([
  [0xff, [[0xf1, 0xf3, 0xf1, 0x00]]], // DSP0236 1.3.1, the base specification
  [0x00, [[0xf1, 0xf3, 0xf1, 0x00]]], // the control protocol is versioned with the base spec
  [0x07, [[0xf1, 0xf0, 0xf0, 0x00]]], // DSP0234 1.0.0 CXL FM API over MCTP
  [0x08, [[0xf1, 0xf0, 0xf0, 0x00]]], // DSP0281 1.0.0 CXL CCI over MCTP
]);

/** Message types other than control that this endpoint serves (DSP0236 12.7 leaves 0x00 out). */
export const SUPPORTED_MESSAGE_TYPES: readonly number[] = [0x07, 0x08];

export type ControlOutcome =
  | { readonly kind: 'response'; readonly command: number; readonly cc: number; readonly bytes: Uint8Array; readonly note?: string }
  | { readonly kind: 'ignored'; readonly reason: string };

/** Handle one control message (type byte first). Mutates `state` only on a successful Set EID. */
export function handleControl(msg: Uint8Array, state: EidState, uuid?: Uint8Array): ControlOutcome {
  if (msg.length < 3) return { kind: 'ignored', reason: 'control message shorter than its 3-byte header' };
  const b0 = msg[0] ?? 0;
  const b1 = msg[1] ?? 0;
  const command = msg[2] ?? 0;
  if ((b0 & 0x80) !== 0) return { kind: 'ignored', reason: 'integrity check bit set on a control message' };
  // DSP0236 12.3: responses are not answered, and neither are datagrams (D set).
  if ((b1 & 0x80) === 0) return { kind: 'ignored', reason: 'control response received; this endpoint sends no control requests' };
  if ((b1 & 0x40) !== 0) return { kind: 'ignored', reason: 'control datagram: no response is sent' };
  const instance = b1 & 0x1f;
  const reply = (cc: number, data: readonly number[] = [], note?: string): ControlOutcome => ({
    kind: 'response',
    command,
    cc,
    bytes: Uint8Array.of(MCTP_TYPE_CONTROL, instance, command, cc, ...data),
    ...(note ? { note } : {}),
  });
  const data = (i: number): number => msg[3 + i] ?? 0;

  switch (command) {
    case ControlCommand.SetEndpointId: {
      const op = data(0) & 0x03;
      const eid = data(1);
      if (op === 0 || op === 1) {
        // DSP0236 8.2: 0x00 (null) and 0xFF (broadcast) are never an endpoint's EID, and 0x01-0x07
        // are reserved.
        if (eid === 0x00 || eid === 0xff || eid < 0x08) return reply(ControlCc.InvalidData, [], `EID 0x${hex2(eid)} cannot be assigned`);
        state.eid = eid;
        // Byte 4: bits 5:4 EID assignment status 00b accepted; bits 1:0 00b no EID pool.
        return reply(ControlCc.Success, [0x00, state.eid, 0x00], `EID set to 0x${hex2(eid)}`);
      }
      if (op === 2) {
        state.eid = state.staticEid;
        return reply(ControlCc.Success, [0x00, state.eid, 0x00], `EID reset to 0x${hex2(state.eid)}`);
      }
      // Set Discovered Flag belongs to media with a discovery process; this stream has none.
      return reply(ControlCc.InvalidData, [], 'Set Discovered Flag does not apply to this binding');
    }
    case ControlCommand.GetEndpointId: {
      // Byte 5: endpoint type 00b simple endpoint (bits 5:4); EID type (bits 1:0) 10b static EID
      // supported and in use, 11b static EID supported but another one assigned.
      const eidType = state.eid === state.staticEid ? 0x02 : 0x03;
      return reply(ControlCc.Success, [state.eid, eidType, 0x00]);
    }
    case ControlCommand.GetEndpointUuid:
      // DSP0236 12.5: completion code, then the 16-byte UUID in RFC 4122 byte order.
      if (!uuid || uuid.length !== 16) return reply(ControlCc.UnsupportedCmd, [], 'this endpoint has no UUID');
      return reply(ControlCc.Success, [...uuid]);
    case ControlCommand.GetMctpVersionSupport: {
      const versions = SUPPORTED_VERSIONS.get(data(0));
      if (!versions) return reply(ControlCc.MessageTypeNotSupported, [], `no version for message type 0x${hex2(data(0))}`);
      return reply(ControlCc.Success, [versions.length, ...versions.flat()]);
    }
    case ControlCommand.GetMessageTypeSupport:
      return reply(ControlCc.Success, [SUPPORTED_MESSAGE_TYPES.length, ...SUPPORTED_MESSAGE_TYPES]);
    default:
      return reply(ControlCc.UnsupportedCmd, [], `control command 0x${hex2(command)} not supported`);
  }
}

/**
 * A stable endpoint UUID for a component with this serial number: RFC 9562 version 8 (custom
 * layout), the low 48 bits of the serial in the node field, a fixed cxlemu prefix before it. The
 * same serial always gives the same UUID, so a client that keys endpoints by UUID sees one switch.
 */
export function endpointUuid(serialNumber: bigint): Uint8Array {
  const u = Uint8Array.of(0x63, 0x78, 0x6c, 0x65, 0x6d, 0x75, 0x80, 0x00, 0x80, 0x00, 0, 0, 0, 0, 0, 0);
  for (let i = 0; i < 6; i++) u[15 - i] = Number((serialNumber >> BigInt(8 * i)) & 0xffn);
  return u;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
