// Writes the demo runs that `npm start` opens: users have no ../shared, so the product makes its own data.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateBenchTrace } from './bench-trace';

const out = resolve(process.argv[2] ?? 'demo-runs');
const dir = join(out, 'dlio-demo');
mkdirSync(dir, { recursive: true });
// four processes of a DLIO-like run, one trace file each, as DFTracer writes them (v1.0.15 format)
for (let rank = 0; rank < 4; rank++) {
  generateBenchTrace(join(dir, `dlio-demo-${rank}-of-4.pfw.gz`), {
    events: 40_000,
    seed: 100 + rank,
    era: '2025',
    pid: 41000 + rank,
    hostname: rank < 2 ? 'node001' : 'node002',
  });
}
process.stdout.write(`demo run written to ${dir}\n`);
