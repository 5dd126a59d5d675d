// Run only the MCTP rows: `node dist/bench/mctp-main.js [n]` (a quick look while profiling).
import { mctpBench, SHAPES } from './mctp.js';
const n = Number(process.argv[2] ?? 2000);
const r = await mctpBench(n, 4);
for (const s of SHAPES) {
  const b = r.bare[s];
  const e = r.emu[s];
  process.stdout.write(`${s.padEnd(24)} bare p50 ${b.p50.toFixed(0)} p99 ${b.p99.toFixed(0)} | emu p50 ${e.p50.toFixed(0)} p99 ${e.p99.toFixed(0)} (p99/p50 ${(e.p99 / e.p50).toFixed(1)}x)\n`);
}
process.exit(0);
