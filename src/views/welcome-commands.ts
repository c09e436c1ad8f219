// What the Runs view's welcome offers someone with no trace open yet: open a trace file, or the demo runs, which
// the extension generates itself (users have no sample data; the generators ship as dist/make-demo.js).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { RunId, RunRegistry } from '../runs/run-registry';
import { DASHBOARD_EDITOR, type Dashboards } from './dashboard';
import type { RunsNode, RunsTree } from './runs-tree';

export interface WelcomeDeps {
  extensionUri: vscode.Uri;
  globalStorageUri: vscode.Uri;
  registry: RunRegistry;
  tree: RunsTree;
  treeView: vscode.TreeView<RunsNode>;
  dashboards: Dashboards;
  log: vscode.LogOutputChannel;
}

/** The runs dist/make-demo.js writes below its folder (src/synth/make-demo.ts), baseline first. */
export const DEMO_RUNS = [
  'scr-experiment/baseline',
  'scr-experiment/scr-flush',
  'scr-experiment/scr-noflush',
  'scr-experiment/scr-bypass',
  'dlio-demo',
];

/** Runs the generator in a worker thread: writing ~4 MB of gzip must not stall the extension host. */
function generate(script: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { argv: [dir], stdout: true, stderr: true });
    let output = '';
    worker.stdout.on('data', (b: Buffer) => (output += b.toString()));
    worker.stderr.on('data', (b: Buffer) => (output += b.toString()));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`the demo generator stopped (exit ${code}): ${output.trim()}`)),
    );
  });
}

export function registerWelcomeCommands(deps: WelcomeDeps): vscode.Disposable {
  const openDemo = async (): Promise<RunId[]> => {
    const dir = vscode.Uri.joinPath(deps.globalStorageUri, 'demo-runs').fsPath;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'DFTracer: generating the demo runs…' },
      () => generate(vscode.Uri.joinPath(deps.extensionUri, 'dist', 'make-demo.js').fsPath, dir),
    );
    deps.log.info(`demo runs in ${dir}`);
    const runs = DEMO_RUNS.map((r) => deps.registry.addFolder(path.join(dir, r)));
    await deps.registry.setBaseline(runs[0].id);
    const node = (await deps.tree.getChildren()).find((n) => n.runId === runs[1].id);
    if (node) await deps.treeView.reveal(node, { select: true, focus: true });
    deps.dashboards.open(runs[1].id);
    return runs.map((r) => r.id);
  };
  const openTrace = async (): Promise<vscode.Uri | undefined> => {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectMany: false,
      openLabel: 'Open trace',
      filters: { 'DFTracer traces': ['pfw', 'gz'] },
    });
    const uri = picked?.[0];
    if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, DASHBOARD_EDITOR);
    return uri;
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('dftrace.openDemo', openDemo),
    vscode.commands.registerCommand('dftrace.openTrace', openTrace),
  );
}
