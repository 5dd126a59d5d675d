// What the host driver reads while it walks the fabric at open: each CCI's Command Effects Log and
// Supported Features (the filter's inputs), and the switch's port states (where the devices are).
// Every read goes through the driver's unfiltered send, over the tunnels of `route`.

import { RC, rcName } from '../spec/return-codes.js';
import { CelUnreadable, readCel } from './driver/cel-read.js';
import { ByteReader, ByteWriter, toHex } from '../util/bytes.js';
import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { FeatureEffects } from './policy/decide.js';

/** The driver's own unfiltered send (read-only commands only), unwrapped from its tunnels. */
export type RawSend = (route: readonly TunnelHop[], opcode: number, payload?: Uint8Array) => Promise<{ rc: number; payload: Uint8Array }>;

/** Get Physical Port State for `ports`, in chunks that fit the mailbox: each port's connected device type. */
export async function readPortStates(raw: RawSend, payloadSize: number, ports: readonly number[]): Promise<{ port: number; deviceType: number }[]> {
  const out: { port: number; deviceType: number }[] = [];
  const perChunk = Math.max(1, Math.floor((Math.min(payloadSize, 1024) - 4) / 16));
  for (let i = 0; i < ports.length; ) {
    const chunk = ports.slice(i, i + perChunk);
    const r = await raw([], 0x5101, Uint8Array.of(chunk.length, ...chunk));
    if (r.rc !== RC.Success) {
      i += chunk.length;
      continue;
    }
    // The switch returns the blocks that fit its response message limit; ask again for the rest.
    const b = new ByteReader(r.payload);
    const n = Math.min(b.u8(0), chunk.length);
    for (let k = 0; k < n; k++) out.push({ port: b.u8(4 + k * 16), deviceType: b.u8(4 + k * 16 + 4) });
    i += Math.max(1, n);
  }
  return out;
}

/**
 * The CEL of the CCI at `route`: the driver's own CEL reader, over the tunnels, in 256-byte
 * chunks (tunnelled responses carry 16 bytes of framing per level; this stays inside every limit).
 * A CCI that does not answer with a CEL is undefined; a transport fault still throws.
 */
export async function readCelVia(raw: RawSend, route: readonly TunnelHop[]): Promise<Map<number, number> | undefined> {
  try {
    return await readCel(async (opcode, payload) => {
      const r = await raw(route, opcode, payload);
      return { rc: r.rc, rcName: rcName(r.rc), payload: r.payload };
    }, 256);
  } catch (e) {
    if (e instanceof CelUnreadable) return undefined;
    throw e;
  }
}

/** CXL r3.2 8.2.10.6.1 Get Supported Features: UUID → (changeable, Set Feature Effects). */
export async function readFeatures(raw: RawSend, route: readonly TunnelHop[], cel: ReadonlyMap<number, number>): Promise<Map<string, FeatureEffects> | undefined> {
  if (!cel.has(0x0500)) return undefined;
  const out = new Map<string, FeatureEffects>();
  for (let start = 0; ; ) {
    const req = new ByteWriter(8).u32(0, 8 + 48 * 4).u16(4, start).bytes;
    const r = await raw(route, 0x0500, req);
    if (r.rc !== RC.Success) break;
    const b = new ByteReader(r.payload);
    const n = b.u16(0);
    for (let i = 0; i < n; i++) {
      const e = 8 + i * 48;
      if (!b.fits(e, 48)) break;
      out.set(toHex(b.slice(e, 16)), { changeable: (b.u32(e + 22) & 1) === 1, effects: b.u16(e + 28) });
    }
    start += n;
    if (n === 0 || start >= b.u16(2)) break;
  }
  return out;
}
