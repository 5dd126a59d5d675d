// What the host driver reads while it walks the fabric at open: each CCI's Command Effects Log and
// Supported Features (the filter's inputs), and the switch's port states (where the devices are).
// Every read goes through the driver's unfiltered send, over the tunnels of `route`.

import { RC } from '../spec/return-codes.js';
import { ByteReader, ByteWriter, bytesEqual, toHex, uuidBytes } from '../util/bytes.js';
import type { TunnelHop } from '../commands/tunnel/tunnel-payload.js';
import type { FeatureEffects } from './policy/decide.js';

/** The driver's own unfiltered send (read-only commands only), unwrapped from its tunnels. */
export type RawSend = (route: readonly TunnelHop[], opcode: number, payload?: Uint8Array) => Promise<{ rc: number; payload: Uint8Array }>;

const CEL_UUID = uuidBytes('0da9c0b5-bf41-4b78-8f79-96b1623b3f17');

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

/** The CEL of the CCI at `route` (Get Supported Logs, then Get Log in chunks): opcode -> effects. */
export async function readCelVia(raw: RawSend, route: readonly TunnelHop[]): Promise<Map<number, number> | undefined> {
  const logs = await raw(route, 0x0400);
  if (logs.rc !== RC.Success) return undefined;
  const r = new ByteReader(logs.payload);
  let size: number | undefined;
  for (let i = 0; i < r.u16(0); i++) if (bytesEqual(r.slice(8 + i * 20, 16), CEL_UUID)) size = r.u32(8 + i * 20 + 16);
  if (size === undefined) return undefined;
  const cel = new Map<number, number>();
  // Tunnelled responses carry 16 bytes of framing per level; stay well inside every limit.
  const chunk = 256;
  for (let off = 0; off < size; off += chunk) {
    const len = Math.min(chunk, size - off);
    const res = await raw(route, 0x0401, new ByteWriter(0x18).set(0, CEL_UUID).u32(0x10, off).u32(0x14, len).bytes);
    if (res.rc !== RC.Success) return undefined;
    const e = new ByteReader(res.payload);
    for (let i = 0; i + 4 <= res.payload.length; i += 4) cel.set(e.u16(i), e.u16(i + 2));
  }
  return cel;
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
