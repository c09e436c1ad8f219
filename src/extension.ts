import * as vscode from 'vscode';
import { WorkerPool } from './engine';
import { RawLineProvider, registerCommands } from './commands';
import { TimelinePanels, timelineRunFor } from './views/timeline-panel';
import { RunRegistry } from './runs/run-registry';
import { readSettings } from './runs/settings';
import { ComparePanels } from './views/compare-panel';
import { Dashboards } from './views/dashboard';
import { EventPanels } from './views/events-panel';
import { registerInsightDiagnostics } from './views/insight-diagnostics';
import { RunsTree, type RunsNode } from './views/runs-tree';
import { registerWelcomeCommands } from './views/welcome-commands';

/** What activate() returns: the extension's parts, for its own tests in the extension host. */
export interface DftraceApi {
  registry: RunRegistry;
  tree: RunsTree;
  treeView: vscode.TreeView<RunsNode>;
  dashboards: Dashboards;
  events: EventPanels;
  compare: ComparePanels;
  pool: WorkerPool;
  timeline: TimelinePanels;
}

export function activate(context: vscode.ExtensionContext): DftraceApi {
  const log = vscode.window.createOutputChannel('DFTracer', { log: true });
  context.subscriptions.push(log);
  const settings = readSettings();
  const pool = new WorkerPool({
    size: settings.workers > 0 ? settings.workers : undefined,
    workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
  });
  context.subscriptions.push({ dispose: () => void pool.dispose() });
  const cacheDir = () =>
    readSettings().cacheDirectory || vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath;

  const registry = new RunRegistry(pool, context.workspaceState, log, cacheDir);
  context.subscriptions.push(registry);
  const deps = { extensionUri: context.extensionUri, registry, log };

  const { panels: timeline, disposable: timelineDisposable } = TimelinePanels.register({ ...deps, pool });
  context.subscriptions.push(
    timelineDisposable,
    vscode.commands.registerCommand('dftrace.openTimeline', async (arg?: unknown) => {
      let runId = timelineRunFor(arg, registry);
      if (!runId) {
        const picks = registry.list().map((r) => ({ label: r.label, description: r.folder, runId: r.id }));
        runId = (await vscode.window.showQuickPick(picks, { placeHolder: 'Open the timeline of which run?' }))
          ?.runId;
      }
      if (runId) timeline.open(runId);
      return runId;
    }),
  );

  const tree = new RunsTree(registry);
  const treeView = vscode.window.createTreeView('dftrace.runs', {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: false,
  });
  context.subscriptions.push(
    tree,
    treeView,
    treeView.onDidExpandElement((e) => tree.expanded(e.element)),
    treeView.onDidCollapseElement((e) => tree.collapsed(e.element)),
    // The workbench drops a refresh that comes while the view's tree widget does not exist (its container never
    // shown, or closed), and a widget made later starts from the root's last children: a run list fetched before
    // discovery finished would stay empty. Asking again whenever the view is shown keeps it current.
    treeView.onDidChangeVisibility((e) => {
      if (e.visible) tree.refresh();
    }),
  );

  context.subscriptions.push(registerInsightDiagnostics());
  const dashboards = new Dashboards(deps);
  context.subscriptions.push(Dashboards.register(deps, dashboards));
  const { panels: events, disposable: eventsDisposable } = EventPanels.register(deps);
  const compare = new ComparePanels(deps);
  const rawLines = new RawLineProvider();
  context.subscriptions.push(
    eventsDisposable,
    compare,
    vscode.workspace.registerTextDocumentContentProvider(RawLineProvider.scheme, rawLines),
    registerCommands({ registry, tree, treeView, dashboards, events, compare, log, cacheDir, rawLines }),
    registerWelcomeCommands({
      ...deps,
      globalStorageUri: context.globalStorageUri,
      tree,
      treeView,
      dashboards,
    }),
  );

  // the status bar shows the extension is ready (UI tests wait for it) and how many runs it knows
  const status = vscode.window.createStatusBarItem('dftrace.status', vscode.StatusBarAlignment.Left, 10);
  status.name = 'DFTracer';
  status.command = 'workbench.view.extension.dftrace';
  // "0 runs" before the workspace was searched would be a wrong answer: until then it says it is looking
  let discovered = false;
  const updateStatus = () => {
    const n = registry.list().length;
    status.text = discovered
      ? `$(pulse) DFTracer: ${n} run${n === 1 ? '' : 's'}`
      : '$(loading~spin) DFTracer: finding runs';
    status.tooltip = 'DFTracer runs in this workspace: click to show them';
  };
  updateStatus();
  status.show();
  context.subscriptions.push(status, registry.onDidChangeRuns(updateStatus));
  void vscode.commands.executeCommand('setContext', 'dftrace.hasBaseline', registry.baseline !== undefined);

  // discover runs now and whenever trace files appear or disappear
  void registry
    .discover()
    .catch((e: Error) => log.error(`discovering runs: ${e.message}`))
    .finally(() => {
      discovered = true;
      updateStatus();
    });
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{pfw,pfw.gz}', false, true, false);
  let pending: NodeJS.Timeout | undefined;
  const rediscover = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void registry.discover(), 500);
  };
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(rediscover),
    watcher.onDidDelete(rediscover),
    vscode.workspace.onDidChangeWorkspaceFolders(rediscover),
    { dispose: () => clearTimeout(pending) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dftrace.storageTiers')) tree.setGroupBy(tree.groupBy);
    }),
  );
  log.info(`activated (${pool.size} parse workers)`);
  return { registry, tree, treeView, dashboards, events, compare, pool, timeline };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
