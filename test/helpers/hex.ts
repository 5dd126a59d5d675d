// Test helpers: hex in, hex out, so golden bytes read like the spec's tables.
export function hex(s: string): Uint8Array {
  const t = s.replace(/[\s_]/g, '');
  if (t.length % 2) throw new Error(`odd hex literal: ${s}`);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
