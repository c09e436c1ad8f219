// Insights: what is wrong with a run and what to change (Drishti-style triggers, plus SCR advice), and which rules
// a baseline and another run disagree on. Pure: no I/O, no `vscode`.
import type { RunSummary } from '../summary/run-summary';
import { RunFacts } from './facts';
import { RULES } from './rules';
import {
  DEFAULT_THRESHOLDS,
  SEVERITY_ORDER,
  type Evidence,
  type Finding,
  type InsightOptions,
  type InsightReport,
  type RuleId,
} from './types';

export * from './types';
export { RULES } from './rules';
export { isScrPath, nearestRank } from './facts';

/** Judges every rule on `run` (and `baseline`, for the rules that compare). Findings come worst first. */
export function runInsights(run: RunSummary, opts: InsightOptions, baseline?: RunSummary): InsightReport {
  const t = { ...DEFAULT_THRESHOLDS, ...definedOnly(opts.thresholds ?? {}) };
  const facts = new RunFacts(run, opts);
  const base = baseline ? new RunFacts(baseline, opts) : undefined;
  const report: InsightReport = { findings: [], notEvaluated: [], passed: [], scrRun: facts.scr };
  for (const rule of RULES) {
    let r;
    try {
      r = rule.judge({ run: facts, baseline: base, t });
    } catch (e) {
      // one rule's bug must not hide the others' findings
      r = { kind: 'notEvaluated' as const, reason: `internal error: ${(e as Error).message}` };
    }
    if (r.kind === 'fired') report.findings.push(r.finding);
    else if (r.kind === 'passed')
      report.passed.push({ id: rule.id, title: rule.title, evidence: r.evidence });
    else report.notEvaluated.push({ id: rule.id, reason: r.reason });
  }
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  report.findings.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || order.get(a.id)! - order.get(b.id)!,
  );
  return report;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
  ) as Partial<T>;
}

/** The CLI's `--json`: findings and the rules that could not be judged. */
export function insightsJson(r: InsightReport): {
  findings: Finding[];
  notEvaluated: InsightReport['notEvaluated'];
} {
  return { findings: r.findings, notEvaluated: r.notEvaluated };
}

export type RuleState = 'fired' | 'passed' | 'notEvaluated';
export type RuleChange = 'fired' | 'cleared' | 'new' | 'quiet' | 'notEvaluated';

export interface RuleSide {
  state: RuleState;
  evidence: Evidence[];
  /** Why the rule could not be judged on this run. */
  reason?: string;
  finding?: Finding;
}

export interface RuleDiffRow {
  id: RuleId;
  title: string;
  /** Against the baseline: fired in both, cleared (baseline only), new (this run only), quiet (neither), or not
   * evaluated on one side. */
  change: RuleChange;
  baseline: RuleSide;
  other: RuleSide;
}

function side(r: InsightReport, id: RuleId): RuleSide {
  const finding = r.findings.find((f) => f.id === id);
  if (finding) return { state: 'fired', evidence: finding.evidence, finding };
  const ne = r.notEvaluated.find((n) => n.id === id);
  if (ne) return { state: 'notEvaluated', evidence: [], reason: ne.reason };
  return { state: 'passed', evidence: r.passed.find((p) => p.id === id)?.evidence ?? [] };
}

/** Per rule, what changed from the baseline's report to another run's: "what did SCR fix and what did it break". */
export function diffInsights(baseline: InsightReport, other: InsightReport): RuleDiffRow[] {
  return RULES.map((rule) => {
    const b = side(baseline, rule.id);
    const o = side(other, rule.id);
    let change: RuleChange;
    if (b.state === 'fired' && o.state === 'fired') change = 'fired';
    else if (b.state === 'fired' && o.state === 'passed') change = 'cleared';
    else if (o.state === 'fired' && b.state !== 'fired') change = 'new';
    else if (b.state === 'passed' && o.state === 'passed') change = 'quiet';
    else change = 'notEvaluated';
    return { id: rule.id, title: rule.title, change, baseline: b, other: o };
  });
}

const CHANGE_ORDER: Record<RuleChange, number> = { new: 0, fired: 1, cleared: 2, notEvaluated: 3, quiet: 4 };

/** New problems first, then those that stay, then those fixed. */
export function sortDiff(rows: RuleDiffRow[]): RuleDiffRow[] {
  return [...rows].sort((a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change]);
}
