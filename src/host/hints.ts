// Device hints reach whoever sent the command beside the return code, never through the mailbox
// registers (the spec's interface has no room for them). The hint travels with the command that
// caused it, not by return code:
// - the CCI returns it in its response (CciResponse.hint), and a tunnel hands the inner command's
//   hint out with its own response, so the innermost reason reaches the outermost caller (an inner
//   command completes before the outer one, inside the outer dispatch);
// - the mailbox keeps the hint of its last completion beside its registers, and the host driver,
//   which owns the mailbox from ring to result, reads it with the status (MailboxDriver), checking
//   that the opcode and command set are those it rang;
// - the driver's outcome carries it to the session or CLI that submitted the command.
// So two clients whose commands fail with the same return code each get their own reason: an
// earlier design matched the first hint on any CCI's trace by return code, and a client waiting
// in the driver's queue could take another client's (or an MCTP requester's) reason.

/** Where a driver reads the device's reason for the command it just completed (Mailbox.completionHint). */
export interface HintSource {
  completionHint(): { readonly opcode: number; readonly vendorId: number; readonly hint: string } | undefined;
}
