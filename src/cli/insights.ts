// `dftrace insights <run> [--baseline <run>] [--json]`: what is wrong with a run and what to change.
import { fmtBytes, fmtUs } from '../engine/format';
import type { StorageTier } from '../engine/compare/tiers';
import { insightsJson, runInsights, type InsightReport } from '../engine/insights';
import type { RunSummary } from '../engine';
import { UsageError, stringFlag, type ParsedArgs } from './args';

export interface InsightsDeps {
  /** Loads the run the given paths form (undefined: nothing readable). */
  load(paths: string[]): Promise<RunSummary | undefined>;
  tiers: StorageTier[];
}

/** Exit 0 whatever the findings (a finding is an answer, not a failure); 1 when nothing is readable. */
export async function insightsCommand(args: ParsedArgs, deps: InsightsDeps): Promise<number> {
  if (args.positional.length === 0) throw new UsageError('insights needs a run (trace files or a folder)');
  const baselinePath = stringFlag(args, 'baseline');
  if (args.flags.get('baseline') === true) throw new UsageError('--baseline needs a folder');
  const run = await deps.load(args.positional);
  if (!run) return 1;
  let baseline: RunSummary | undefined;
  if (baselinePath !== undefined) {
    baseline = await deps.load([baselinePath]);
    if (!baseline) return 1;
  }
  const report = runInsights(run, { tiers: deps.tiers }, baseline);
  process.stdout.write(
    args.flags.has('json') ? JSON.stringify(insightsJson(report)) + '\n' : renderReport(report),
  );
  return 0;
}

const MARK = { high: 'HIGH', warn: 'WARN', info: 'INFO' } as const;

export function renderReport(r: InsightReport): string {
  const out: string[] = [];
  out.push(
    r.findings.length === 0
      ? 'No rule fired.'
      : `${r.findings.length} finding(s), worst first${r.scrRun ? ' (an SCR run)' : ''}:`,
  );
  for (const f of r.findings) {
    out.push(
      '',
      `[${MARK[f.severity]}] ${f.title}  (${f.id})${f.approximate ? '  ~estimated from a sample' : ''}`,
    );
    for (const e of f.evidence) out.push(`    ${e.label}: ${e.text}`);
    out.push(...wrap(f.recommendation, 96).map((l, i) => (i === 0 ? `  → ${l}` : `    ${l}`)));
    for (const x of f.examples)
      out.push(
        `    e.g. ${x.trace}:${x.line}  ${x.op || 'write'} ${x.file}  ${fmtUs(x.dur)}` +
          (x.bytes > 0 ? `  ${fmtBytes(x.bytes)}` : ''),
      );
  }
  if (r.notEvaluated.length > 0) {
    out.push('', 'Not evaluated:');
    for (const n of r.notEvaluated) out.push(`  ${n.id}: ${n.reason}`);
  }
  if (r.passed.length > 0) out.push('', `Judged and did not fire: ${r.passed.map((p) => p.id).join(', ')}`);
  return out.join('\n') + '\n';
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
