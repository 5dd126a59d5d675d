// Transport faults are errors; device return codes are values (CXL r3.2 8.2.8.4: a command that
// fails inside the device still completes the mailbox transaction). These classes are the first
// channel; MailboxResult.rc is the second.

export class DriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverError';
  }
}

/** The doorbell did not clear in time (Linux: -ETIMEDOUT "mailbox timeout"). */
export class MailboxTimeoutError extends DriverError {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxTimeoutError';
  }
}

/** The doorbell was already set when we came to use the mailbox (Linux: -EBUSY "mailbox queue busy"). */
export class MailboxBusyError extends DriverError {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxBusyError';
  }
}
