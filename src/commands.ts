import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRawLine } from './engine';
import type { EventRef } from './protocol';
import type { RunId, RunRegistry } from './runs/run-registry';
import type { Dashboards } from './views/dashboard';
import type { EventPanels, OpenEventsArgs } from './views/events-panel';
import type { RunsNode, RunsTree } from './views/runs-tree';
import type { ComparePanels } from './views/compare-panel';

export interface CommandDeps {
  registry: RunRegistry;
  tree: RunsTree;
  treeView: vscode.TreeView<RunsNode>;
  dashboards: Dashboards;
  events: EventPanels;
  compare: ComparePanels;
  log: vscode.LogOutputChannel;
  cacheDir: () => string;
  rawLines: RawLineProvider;
}

/** Commands get a tree node, an explorer Uri, or a plain object from a webview or a test. */
type RunArg = RunsNode | { runId: RunId } | undefined;

function runIdOf(arg: RunArg, deps: CommandDeps): RunId | undefined {
  if (arg && 'runId' in arg) return arg.runId;
  const selected = deps.treeView.selection[0];
  return selected?.runId;
}

async function pickRun(deps: CommandDeps, placeHolder: string, exclude?: RunId): Promise<RunId | undefined> {
  const picks = deps.registry
    .list()
    .filter((r) => r.id !== exclude)
    .map((r) => ({ label: r.label, description: r.folder, runId: r.id }));
  if (picks.length === 0) {
    void vscode.window.showInformationMessage(
      'DFTracer: no other run to choose. Add one from a folder first.',
    );
    return undefined;
  }
  return (await vscode.window.showQuickPick(picks, { placeHolder }))?.runId;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const { registry } = deps;
  const openRunFolder = async (folder: string) => {
    const run = registry.addFolder(folder);
    deps.dashboards.open(run.id);
    return run.id;
  };
  const handlers: Record<string, (...args: never[]) => unknown> = {
    'dftrace.openRun': async (uri?: vscode.Uri) => {
      const folder = uri?.fsPath ?? (await chooseFolder());
      return folder ? openRunFolder(folder) : undefined;
    },
    'dftrace.openWholeRun': async (uri?: vscode.Uri) => {
      const file = uri?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
      return file ? openRunFolder(path.dirname(file)) : undefined;
    },
    'dftrace.addRunFromFolder': async () => {
      const folder = await chooseFolder();
      if (!folder) return undefined;
      const run = registry.addFolder(folder);
      const node = (await deps.tree.getChildren()).find((n) => n.runId === run.id);
      if (node) await deps.treeView.reveal(node, { select: true, focus: true });
      return run.id;
    },
    'dftrace.removeRun': (arg: RunArg) => {
      const id = runIdOf(arg, deps);
      if (id) registry.remove(id);
    },
    'dftrace.refreshRuns': () => registry.discover(),
    'dftrace.openDashboard': (arg: RunArg) => {
      const id = runIdOf(arg, deps);
      if (id) deps.dashboards.open(id);
    },
    'dftrace.openEvents': (arg: RunsNode | OpenEventsArgs | undefined) => {
      if (!arg || !('runId' in arg) || !('file' in arg)) return;
      deps.events.open({
        runId: arg.runId,
        file: arg.file,
        op: 'op' in arg ? arg.op : undefined,
        select: 'select' in arg ? arg.select : undefined,
      });
    },
    'dftrace.jumpToEvent': (arg: OpenEventsArgs & { select: EventRef }) => deps.events.open(arg),
    'dftrace.revealTraceFiles': async (arg: RunArg) => {
      const id = runIdOf(arg, deps);
      const run = id && registry.get(id);
      if (!run) return;
      const target = id.startsWith('file:') ? id.slice(5) : run.folder;
      await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(target));
    },
    'dftrace.copyPath': async (arg: RunArg) => {
      if (arg && 'kind' in arg && (arg.kind === 'file' || arg.kind === 'op')) {
        await vscode.env.clipboard.writeText(arg.file);
        return;
      }
      const id = runIdOf(arg, deps);
      const run = id && registry.get(id);
      if (run) await vscode.env.clipboard.writeText(id.startsWith('file:') ? id.slice(5) : run.folder);
    },
    'dftrace.setBaseline': async (arg: RunArg) => {
      const id = runIdOf(arg, deps);
      if (!id) return;
      // the menus' context first: by the time the tree shows the pin, "Compare with Baseline" must be offered
      await vscode.commands.executeCommand('setContext', 'dftrace.hasBaseline', true);
      await registry.setBaseline(id);
    },
    'dftrace.compareWithBaseline': async (arg: RunArg) => {
      const id = runIdOf(arg, deps);
      const baseline = registry.baseline ?? (await pickRun(deps, 'Which run is the baseline?', id));
      if (!id || !baseline) return;
      if (!registry.baseline) await registry.setBaseline(baseline);
      deps.compare.open([baseline, id]);
    },
    'dftrace.compareWith': async (arg: RunArg) => {
      const id = runIdOf(arg, deps) ?? (await pickRun(deps, 'Choose the baseline run'));
      if (!id) return;
      const other = await pickRun(deps, 'Compare with which run?', id);
      if (other) deps.compare.open([id, other]);
    },
    'dftrace.compareFolders': (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      const folders = (uris && uris.length > 1 ? uris : uri ? [uri] : []).map((u) => u.fsPath);
      if (folders.length < 2) {
        void vscode.window.showInformationMessage('DFTracer: select two or more run folders to compare.');
        return;
      }
      deps.compare.open(folders.map((f) => registry.addFolder(f).id));
    },
    'dftrace.groupByTier': () => deps.tree.setGroupBy('tier'),
    'dftrace.groupByDirectory': () => deps.tree.setGroupBy('directory'),
    'dftrace.showRawLine': async (given?: { runId: RunId; ref: EventRef }) => {
      const active = deps.events.activeSelection();
      const arg = given ?? (active?.ref ? { runId: active.runId, ref: active.ref } : undefined);
      if (!arg) {
        void vscode.window.showInformationMessage('DFTracer: select an event in an event list first.');
        return;
      }
      const state = registry.state(arg.runId);
      if (state.kind !== 'loaded') throw new Error('the run is not loaded');
      const trace = state.summary.files[arg.ref.trace]?.path;
      if (!trace) throw new Error('no such trace file in the run');
      const uri = deps.rawLines.uriFor(trace, arg.ref.line, arg.ref.offset);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    },
    'dftrace.showLogs': () => deps.log.show(),
    'dftrace.clearCache': async () => {
      await rm(deps.cacheDir(), { recursive: true, force: true });
      void vscode.window.showInformationMessage('DFTracer: cache cleared.');
    },
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, fn]) =>
      vscode.commands.registerCommand(id, fn as (...a: unknown[]) => unknown),
    ),
  );
}

async function chooseFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Open as DFTracer run',
  });
  return picked?.[0]?.fsPath;
}

/**
 * Shows one original trace line as a read-only document (`dftrace-raw:` URIs): the line is read from the trace
 * (inflating up to it for .gz), so nothing is copied to disk.
 */
export class RawLineProvider implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'dftrace-raw';

  uriFor(trace: string, line: number, offset: number): vscode.Uri {
    const query = new URLSearchParams({ trace, offset: String(offset), line: String(line) }).toString();
    return vscode.Uri.from({
      scheme: RawLineProvider.scheme,
      path: `/${path.basename(trace)}:${line}.jsonc`,
      query,
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const trace = q.get('trace') ?? '';
    const text = await readRawLine(trace, Number(q.get('offset')));
    try {
      // pretty-print when it parses; a bad line is shown exactly as it is
      return (
        JSON.stringify(JSON.parse(text), null, 2) + `\n\n// ${trace}, line ${q.get('line')}:\n// ${text}\n`
      );
    } catch {
      return text;
    }
  }
}
