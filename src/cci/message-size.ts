// The message-size model: every limit on how big a request or response may be, and how they hold
// together. One place, so the dispatcher, Identify, the Response Message Limit commands, the
// tunnel and the transports cannot disagree.
//
//   mailbox payload size   2^8..2^20 bytes (CXL r3.2 8.2.8.4.3 Mailbox Capabilities). The size of
//                          a mailbox's payload registers: a transport buffer, per CCI, set by the
//                          topology (`payloadSizeLog2`). Default 2^10, the largest message size, so
//                          the registers, Identify and the response limit all say 1 KiB. Spec-
//                          silent choice: a kernel-ABI client (Linux's cxl_pci, libcxl) sizes its
//                          requests by the Payload Size field alone (Get/Set LSA in chunks of up
//                          to that size) and never reads Identify; a default 2 KiB mailbox that
//                          refuses every request over 1 KiB (below) fails `cxl read-labels`. A
//                          topology may still ask for 2^11..2^20: that models a device whose
//                          registers outgrow its message size (QEMU's default), accepted without a
//                          warning because the spec allows it; such a device answers Invalid
//                          Payload Length to a kernel client's large chunks, as the model says.
//   message size           what Identify advertises as Maximum Supported Message Size (CXL r3.2
//                          8.2.10.1.1): 2^n with n in 8..10, here the mailbox payload size
//                          clamped into that range. A request whose payload is larger answers
//                          Invalid Payload Length on every transport (the field's text: "for any
//                          requests sent to this component"), so a 2 KiB mailbox (a topology's
//                          choice) still refuses a 1025-byte request, as MCTP and a tunnel do.
//   response message limit 2^8..2^10 (8.2.10.1.3-4), at most the message size, and the message
//                          size after power-on and reset. Set Response Message Limit outside 8..10
//                          answers Invalid Input.
//   tunnel budget          a Tunnel Management Command's response carries the target's whole
//                          response inside its own payload: 4 bytes of tunnel header and the
//                          12-byte CCI message header (CXL r3.2 7.6.7.3.1, Figure 7-19). So while
//                          a target runs a tunnelled request, its responses are limited to the
//                          tunnelling CCI's current limit less 16 bytes (and 16 more per level of
//                          nesting). Spec-silent choice: the target does not know it is behind a
//                          switch, but a variably sized reply (a poison list with its More flag, a
//                          log chunk) must fit the tunnel or the FM can never read it; this budget
//                          applies to that one request and changes no setting the FM can read.
//   MCTP message           a type byte, the 12-byte header and the payload (DSP0234/DSP0281). The
//                          assembler's ceiling (MCTP_MAX_MESSAGE_BYTES) is far above any message
//                          the model allows, so a too-large request is still assembled and then
//                          answered Invalid Payload Length by the CCI, the same as on the mailbox.
//                          The jrl dialect (src/mctp/dialect.ts) adds one type byte per tunnel
//                          level inside a tunnel response; the budget does not reserve it, so every
//                          transport returns the same records and a jrl tunnel reply may run one byte
//                          per level past the limit on the wire (same request, same answer wins).
//
// A reply that cannot fit (Get Physical Port State asked for 255 ports: 4 + 255 x 16 = 4084 bytes):
// CXL r3.2 8.2.10.1.3 "The component shall limit the output payload size of commands with
// variably sized outputs such that the Message Payload does not exceed" the limit. A command with
// a More flag or an offset/count continues in the next call. A command with neither returns the
// entries that fit and says so in its count field where the spec's count is "returned" rather than
// "requested" (Get Physical Port State Table 7-18: "Number of port information blocks returned";
// Get Virtual CXL Switch Info Table 7-31 the same for VCS blocks), which is how we read the rule for
// them; the FM asks again for the rest. Where not even one entry fits, or a command's own input
// names a size that cannot fit (Get LSA, an LD memory read), the input is at fault: Invalid Input
// (7.6.6.1: the FM "shall not issue any commands with input arguments such that the command's
// response message exceeds" what it can take). A fixed-size reply that cannot fit is Internal
// Error (8.2.10.1.4: an error that "prevent[s] it from limiting its response message size").

/** CXL r3.2 8.2.10.1.1 / 8.2.10.1.3: message sizes are 2^8..2^10 bytes. */
export const MIN_MESSAGE_SIZE_LOG2 = 8;
export const MAX_MESSAGE_SIZE_LOG2 = 10;

/** CXL r3.2 8.2.8.4.3: the mailbox payload registers are 2^8..2^20 bytes. */
export const MIN_PAYLOAD_SIZE_LOG2 = 8;
export const MAX_PAYLOAD_SIZE_LOG2 = 20;
/** The default mailbox payload size (log2): equal to MAX_MESSAGE_SIZE_LOG2; see the model above. */
export const DEFAULT_PAYLOAD_SIZE_LOG2 = MAX_MESSAGE_SIZE_LOG2;

/** Tunnel response header (4) + embedded CCI message header (12): CXL r3.2 7.6.7.3.1. */
export const TUNNEL_RESPONSE_OVERHEAD = 4 + 12;

/** Largest MCTP message the endpoint assembles (type byte included); see the model above. */
export const MCTP_MAX_MESSAGE_BYTES = 8192;

/** Identify's Maximum Supported Message Size (log2) for a CCI with this mailbox payload size. */
export function messageSizeLog2(payloadBytes: number): number {
  const n = Math.floor(Math.log2(Math.max(1, payloadBytes)));
  return Math.max(MIN_MESSAGE_SIZE_LOG2, Math.min(MAX_MESSAGE_SIZE_LOG2, n));
}

/** The response budget a target gets while it runs a request tunnelled by a CCI with this limit. */
export function tunnelBudget(outerResponseLimit: number): number {
  return Math.max(0, outerResponseLimit - TUNNEL_RESPONSE_OVERHEAD);
}

export function isPayloadSizeLog2(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PAYLOAD_SIZE_LOG2 && n <= MAX_PAYLOAD_SIZE_LOG2;
}
