// The MMIO seam between host software and a device model. The host driver, the server's
// register-level API and the tests all reach a device only through this interface.

export type AccessWidth = 1 | 2 | 4 | 8;

export interface MmioBus {
  /** Size of the region in bytes. */
  readonly size: number;
  /** Read `width` bytes at `offset`, little-endian. Throws MmioError for an access outside the region. */
  read(offset: number, width: AccessWidth): bigint;
  /** Write `width` bytes at `offset`, little-endian. Throws MmioError for an access outside the region. */
  write(offset: number, width: AccessWidth, value: bigint): void;
  /**
   * Optional bulk copy of a range that is plain memory (a mailbox payload window: no register, no
   * side effect of any access), as memcpy_fromio reads it: the bytes, or undefined when the range
   * is not such memory or not inside the bus, and the caller then makes width-sized accesses. For
   * memory without side effects the device cannot tell the two apart; wrappers that watch each
   * access (TracingBus) leave it out and see every access; attach's counting bus forwards it and
   * counts the accesses the fallback would have made.
   */
  readBytes?(offset: number, length: number): Uint8Array | undefined;
  /** The write counterpart (memcpy_toio): true when done, false when the caller must use accesses. */
  writeBytes?(offset: number, data: Uint8Array): boolean;
}

/**
 * An access the bus cannot carry (bad width, outside the BAR). This is a transport fault, not a
 * device return code: real hardware would master-abort, we tell the caller exactly what was wrong.
 */
export class MmioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MmioError';
  }
}

export function isAccessWidth(n: number): n is AccessWidth {
  return n === 1 || n === 2 || n === 4 || n === 8;
}

/** One MMIO access, as recorded by a tracing bus (used to prove a refused command writes nothing). */
export interface MmioAccess {
  readonly kind: 'read' | 'write';
  readonly offset: number;
  readonly width: AccessWidth;
  readonly value: bigint;
}

/** Wraps a bus and records every access. */
export class TracingBus implements MmioBus {
  readonly log: MmioAccess[] = [];
  constructor(private readonly inner: MmioBus) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, width: AccessWidth): bigint {
    const value = this.inner.read(offset, width);
    this.log.push({ kind: 'read', offset, width, value });
    return value;
  }
  write(offset: number, width: AccessWidth, value: bigint): void {
    this.log.push({ kind: 'write', offset, width, value });
    this.inner.write(offset, width, value);
  }
  writes(): MmioAccess[] {
    return this.log.filter((a) => a.kind === 'write');
  }
  clear(): void {
    this.log.length = 0;
  }
}
