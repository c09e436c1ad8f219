// What the engine says about a run's timeline, for the UI test to compare the webview against (run with tsx):
//   tsx test/ui/timeline-expect.ts <run folder> aggregate <t0> <t1> <lanes,comma,separated> <by>
//   tsx test/ui/timeline-expect.ts <run folder> target      (a long write on lane 0: where to click)
import { summarizeRun, WorkerPool } from '../../src/engine';
import { aggregateRange, loadTimeline, type GroupBy } from '../../src/engine/timeline';

async function main(): Promise<void> {
  const [folder, what, ...rest] = process.argv.slice(2);
  const pool = new WorkerPool({ size: 0 });
  const { summary } = await summarizeRun([folder], { pool });
  const s = await loadTimeline(summary, pool);
  if (what === 'aggregate') {
    const [t0, t1, lanes, by] = rest;
    const a = aggregateRange(s, Number(t0), Number(t1), lanes.split(',').map(Number), by as GroupBy);
    process.stdout.write(JSON.stringify({ total: a.total, rows: a.rows.length }));
  } else {
    let best = -1;
    for (let q = s.laneStart[0]; q < s.laneStart[1]; q++) {
      const r = s.order[q];
      if (s.bytes[r] > 0 && s.fileNames[s.file[r]] && (best < 0 || s.dur[r] > s.dur[best])) best = r;
    }
    process.stdout.write(
      JSON.stringify({
        tsMin: s.tsMin,
        tsMax: s.tsMax,
        ts: s.ts[best],
        dur: s.dur[best],
        op: s.opNames[s.op[best]],
        file: s.fileNames[s.file[best]],
        line: s.line[best],
      }),
    );
  }
  await pool.dispose();
}
void main();
