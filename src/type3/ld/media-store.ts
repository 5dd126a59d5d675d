// The LD's memory media as seen through CXL.mem: a sparse map of 64-byte lines, so a model of a
// GiB-sized device costs only the lines that were written. 64 bytes is the CXL.mem access and
// poison granularity (CXL r3.2 8.2.10.9.4: poison is tracked in 64-byte units).

export const LINE_BYTES = 64;
const LINE = 64n;

export class MediaStore {
  private readonly lines = new Map<bigint, Uint8Array>();

  constructor(private readonly size: () => bigint) {}

  get sizeBytes(): bigint {
    return this.size();
  }

  /** True when [dpa, dpa + length) lies inside the media. */
  contains(dpa: bigint, length: bigint): boolean {
    return dpa >= 0n && length >= 0n && dpa + length <= this.size();
  }

  /** Read `length` bytes at `dpa`; unwritten lines read as zeros. Out-of-range bytes read as zeros. */
  read(dpa: bigint, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, length));
    for (let i = 0; i < out.length; ) {
      const addr = dpa + BigInt(i);
      const line = this.lines.get(addr / LINE);
      const within = Number(addr % LINE);
      const n = Math.min(LINE_BYTES - within, out.length - i);
      if (line) out.set(line.subarray(within, within + n), i);
      i += n;
    }
    return out;
  }

  /** Write `data` at `dpa`; bytes past the end of the media are dropped. */
  write(dpa: bigint, data: Uint8Array): void {
    const end = this.size();
    for (let i = 0; i < data.length; ) {
      const addr = dpa + BigInt(i);
      const within = Number(addr % LINE);
      const n = Math.min(LINE_BYTES - within, data.length - i);
      if (addr >= 0n && addr < end) {
        const key = addr / LINE;
        let line = this.lines.get(key);
        if (!line) this.lines.set(key, (line = new Uint8Array(LINE_BYTES)));
        line.set(data.subarray(i, i + n), within);
      }
      i += n;
    }
  }

  /** Lines actually stored (for tests and memory accounting). */
  get storedLines(): number {
    return this.lines.size;
  }

  /** Drop every line at or past `size` bytes (an allocation shrank). */
  truncate(size: bigint): void {
    for (const key of [...this.lines.keys()]) if (key * LINE >= size) this.lines.delete(key);
  }

  /** Forget the lines of [dpa, dpa + length): they read as zeros again. */
  zeroRange(dpa: bigint, length: bigint): void {
    for (const key of [...this.lines.keys()]) {
      const at = key * LINE;
      if (at >= dpa && at < dpa + length) this.lines.delete(key);
    }
  }

  /** Stored lines in [dpa, dpa + length), ascending: (line index, 64 bytes). For snapshots. */
  linesIn(dpa: bigint, length: bigint): [bigint, Uint8Array][] {
    const out: [bigint, Uint8Array][] = [];
    for (const [key, line] of this.lines) {
      const at = key * LINE;
      if (at >= dpa && at < dpa + length) out.push([key, line.slice()]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  zero(): void {
    this.lines.clear();
  }
}
