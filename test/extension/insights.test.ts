import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DftraceApi } from '../../src/extension';
import { folderRunId } from '../../src/runs/run-registry';
import { generateScrExperiment } from '../../src/synth/scr-runs';
import { runInsights } from '../../src/engine/insights';
import { insightOptions } from '../../src/runs/insight-settings';

function insightDiagnostics(): [vscode.Uri, vscode.Diagnostic[]][] {
  return vscode.languages
    .getDiagnostics()
    .map(
      ([uri, list]) =>
        [uri, list.filter((d) => d.source === 'DFTracer insights')] as [vscode.Uri, vscode.Diagnostic[]],
    )
    .filter(([, list]) => list.length > 0);
}

describe('insights in the extension host', () => {
  it('puts a run’s findings in the Problems panel on the trace file, at the example event’s line', async () => {
    const ext = vscode.extensions.all.find((e) => e.id.endsWith('.dftrace-vscode'))!;
    const a = (await ext.activate()) as DftraceApi;
    // in bypass mode the checkpoint writes straight to Lustre inside the checkpoint: scr-sync-flush fires
    const exp = generateScrExperiment(mkdtempSync(path.join(tmpdir(), 'dftrace-ins-')), {
      era: '2025',
      variants: ['scr-bypass'],
    });
    const folder = exp.runs[0].folder;
    a.registry.addFolder(folder, false);
    const shown = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no insight diagnostics within 120 s')), 120_000);
      const check = () => {
        if (insightDiagnostics().some(([uri]) => uri.fsPath.startsWith(folder))) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      };
      const sub = vscode.languages.onDidChangeDiagnostics(check);
    });
    a.dashboards.open(folderRunId(folder));
    try {
      await shown;
      const mine = insightDiagnostics().filter(([uri]) => uri.fsPath.startsWith(folder));
      const all = mine.flatMap(([uri, list]) => list.map((d) => ({ uri, d })));
      const flush = all.find(({ d }) => d.code === 'scr-sync-flush');
      assert.ok(flush, `scr-sync-flush among ${all.map(({ d }) => String(d.code)).join(', ')}`);
      assert.equal(flush.d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(flush.d.message, /SCR_FLUSH_ASYNC=1/);
      assert.match(flush.uri.fsPath, /\.pfw\.gz$/, 'on the trace file itself');
      // at the line of the finding's first example, as the engine reports it
      const lease = a.registry.acquire(folderRunId(folder));
      try {
        const report = runInsights(await lease.summary, insightOptions());
        const first = report.findings.find((f) => f.id === 'scr-sync-flush')!.examples[0];
        assert.equal(flush.uri.fsPath, first.trace);
        assert.equal(flush.d.range.start.line, first.line - 1);
      } finally {
        lease.dispose();
      }
      assert.ok((flush.d.relatedInformation ?? []).length <= 4, 'the other examples as related locations');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
