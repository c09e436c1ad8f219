// Writes the demo runs that `npm start` opens: users have no ../shared, so the product makes its own data.
//   node dist/make-demo.js <dir>   ->  <dir>/dlio-demo (a DLIO-like training run, 4 processes)
//                                      <dir>/scr-experiment/{baseline,scr-flush,scr-noflush,scr-bypass}
//                                        (Megatron-DeepSpeed checkpointing straight to Lustre vs through SCR)
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateBenchTrace } from './bench-trace';
import { generateScrExperiment } from './scr-runs';

const out = resolve(process.argv[2] ?? 'demo-runs');
const dlio = join(out, 'dlio-demo');
const scr = join(out, 'scr-experiment');
// generation is deterministic: an existing demo is the same demo
if (!existsSync(join(dlio, 'dlio-demo-3-of-4.pfw.gz'))) {
  mkdirSync(dlio, { recursive: true });
  // four processes of a DLIO-like run, one trace file each, as DFTracer writes them (v1.0.15 format)
  for (let rank = 0; rank < 4; rank++) {
    generateBenchTrace(join(dlio, `dlio-demo-${rank}-of-4.pfw.gz`), {
      events: 40_000,
      seed: 100 + rank,
      era: '2025',
      pid: 41000 + rank,
      hostname: rank < 2 ? 'node001' : 'node002',
    });
  }
}
if (!existsSync(join(scr, 'scr-bypass'))) {
  mkdirSync(scr, { recursive: true });
  generateScrExperiment(scr, { era: '2025' });
}
process.stdout.write(
  `demo runs in ${out}: dlio-demo, scr-experiment/{baseline,scr-flush,scr-noflush,scr-bypass}\n`,
);
