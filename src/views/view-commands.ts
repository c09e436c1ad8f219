import * as vscode from 'vscode';
import type { RunSummary } from '../engine';
import type { FromWebview } from '../protocol';

export type ViewCommand = Exclude<FromWebview, { type: 'ready' } | { type: 'request' }>;

/**
 * What a webview asks of VS Code, the same whichever view asks: open an event list or a dashboard, show a raw
 * line, copy text, reveal a trace file. `selected` is the event list's own business and ignored here.
 */
export async function runViewCommand(
  m: ViewCommand,
  view: { folder?: string; summary?: () => Promise<RunSummary>; reload?: () => void },
): Promise<void> {
  switch (m.type) {
    case 'openEvents':
      await vscode.commands.executeCommand('dftrace.openEvents', {
        runId: m.runId,
        file: m.file,
        op: m.op,
        select: m.select,
      });
      return;
    case 'openDashboard':
      await vscode.commands.executeCommand('dftrace.openDashboard', { runId: m.runId });
      return;
    case 'openWholeRun':
      if (view.folder) await vscode.commands.executeCommand('dftrace.openRun', vscode.Uri.file(view.folder));
      return;
    case 'showRawLine':
      await vscode.commands.executeCommand('dftrace.showRawLine', { runId: m.runId, ref: m.ref });
      return;
    case 'copyText':
      await vscode.env.clipboard.writeText(m.text);
      return;
    case 'revealTraceFile': {
      const file = view.summary && (await view.summary()).files[m.trace]?.path;
      if (file) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file));
      return;
    }
    case 'selected':
      return;
    case 'reload':
      view.reload?.();
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}
