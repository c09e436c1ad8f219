import * as vscode from 'vscode';
import type { InsightReport } from '../engine/insights';

/**
 * Insight findings as diagnostics in the Problems panel, on the trace file of each finding's first example (at its
 * line), the other examples as related locations: the researcher's usual navigation (F8, click) reaches the event.
 * One collection for the extension; each run replaces its own findings.
 */
let collection: vscode.DiagnosticCollection | undefined;
/** Per run: the trace files its findings were put on, so a new report replaces them. */
const byRun = new Map<string, vscode.Uri[]>();

export function registerInsightDiagnostics(): vscode.Disposable {
  collection = vscode.languages.createDiagnosticCollection('dftrace-insights');
  return new vscode.Disposable(() => {
    collection?.dispose();
    collection = undefined;
    byRun.clear();
  });
}

const SEVERITY = {
  high: vscode.DiagnosticSeverity.Error,
  warn: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

export function publishInsightDiagnostics(runId: string, report: InsightReport): void {
  const c = collection;
  if (!c) return;
  for (const uri of byRun.get(runId) ?? []) c.delete(uri);
  const perFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
  for (const f of report.findings) {
    const [first, ...rest] = f.examples;
    if (!first) continue;
    const at = (line: number) => new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0);
    const uri = vscode.Uri.file(first.trace);
    const d = new vscode.Diagnostic(at(first.line), `${f.title}. ${f.recommendation}`, SEVERITY[f.severity]);
    d.source = 'DFTracer insights';
    d.code = f.id;
    d.relatedInformation = rest.map(
      (x) =>
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(vscode.Uri.file(x.trace), at(x.line)),
          `another example: ${x.op || 'write'} ${x.file}`.trim(),
        ),
    );
    let entry = perFile.get(uri.toString());
    if (!entry) perFile.set(uri.toString(), (entry = { uri, list: [] }));
    entry.list.push(d);
  }
  for (const { uri, list } of perFile.values()) c.set(uri, [...(c.get(uri) ?? []), ...list]);
  byRun.set(
    runId,
    [...perFile.values()].map((e) => e.uri),
  );
}
