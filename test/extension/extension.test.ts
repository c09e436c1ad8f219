import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summarizeRun, type RunSummary } from '../../src/engine';
import type { DftraceApi } from '../../src/extension';
import type { CompareData } from '../../src/protocol';
import { folderRunId } from '../../src/runs/run-registry';
import { generateScrExperiment, type ScrExperiment } from '../../src/synth/scr-runs';
import type { EventSelection } from '../../src/views/events-panel';
import type { RunsNode } from '../../src/views/runs-tree';

const ROOT = path.resolve(__dirname, '../../..');
const TRACES = path.resolve(ROOT, '../shared/traces');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
  contributes: { commands: { command: string }[] };
};

async function api(): Promise<DftraceApi> {
  const ext = vscode.extensions.getExtension<DftraceApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext, 'the extension is installed');
  return ext.activate();
}

function waitFor<T>(event: vscode.Event<T>, accept: (e: T) => boolean, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const sub = event((e) => {
      if (!accept(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

async function children(a: DftraceApi, node?: RunsNode): Promise<RunsNode[]> {
  return (await a.tree.getChildren(node)) ?? [];
}

describe('DFTracer extension (in the extension host)', () => {
  let a: DftraceApi;
  before(async () => {
    a = await api();
  });

  it('registers every command that package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  describe('runs tree on ../shared/traces/dlio-pytorch-2023', () => {
    const folder = path.join(TRACES, 'dlio-pytorch-2023');
    let engine: RunSummary;
    let runNode: RunsNode;
    before(async function () {
      if (!existsSync(folder)) throw new Error(`${folder} is missing (CI puts shared/ beside the checkout)`);
      engine = (await summarizeRun([folder], { workers: 0 })).summary;
      const run = a.registry.addFolder(folder, false);
      const nodes = await children(a);
      runNode = nodes.find((n) => n.kind === 'run' && n.runId === run.id)!;
      assert.ok(runNode, 'the added run is a root of the tree');
      // expanding the run loads it in the workers
      await a.tree.getChildren(runNode);
      await a.registry.acquire(run.id).summary;
    });

    it('shows the run with the engine’s event count', () => {
      const item = a.tree.getTreeItem(runNode);
      assert.match(
        String(item.description),
        new RegExp(`${engine.totals.events.toLocaleString('en-US')} events`),
      );
    });

    it('lists every accessed file and op with the engine’s counts, bytes and time', async () => {
      const seen: { file: string; op: string; description: string }[] = [];
      for (const group of await children(a, runNode)) {
        for (const file of await children(a, group)) {
          for (const op of await children(a, file)) {
            if (op.kind !== 'op') continue;
            seen.push({ file: op.file, op: op.op, description: String(a.tree.getTreeItem(op).description) });
          }
        }
      }
      assert.equal(seen.length, engine.ops.length);
      for (const row of engine.ops) {
        const s = seen.find((x) => x.file === row.file && x.op === row.op);
        assert.ok(s, `${row.file} ${row.op} in the tree`);
        assert.ok(s.description.startsWith(`${row.count.toLocaleString('en-US')} ×`), s.description);
      }
    });

    it('getParent leads back from an op to its run (reveal works)', async () => {
      const group = (await children(a, runNode))[0];
      const file = (await children(a, group))[0];
      const op = (await children(a, file))[0];
      assert.equal(a.tree.getParent(op)?.id, file.id);
      assert.equal(a.tree.getParent(file)?.id, group.id);
      assert.equal(a.tree.getParent(group)?.id, runNode.id);
      await a.treeView.reveal(op, { select: true, expand: true });
    });

    it('jumps to a slow call: the event list opens on that file with that event selected', async () => {
      const slow = engine.slowest[0];
      const runId = runNode.runId;
      const selected = waitFor<EventSelection>(
        a.events.onDidSelect,
        (s) => s.ref !== null && s.ref.trace === slow.trace && s.ref.line === slow.line,
        90_000,
        'the event list to select the slow call',
      );
      await vscode.commands.executeCommand('dftrace.jumpToEvent', {
        runId,
        file: slow.file,
        select: { trace: slow.trace, line: slow.line, offset: slow.offset },
      });
      const s = await selected;
      assert.equal(s.file, slow.file);
    });

    it('shows the raw trace line of an event as a read-only document', async () => {
      const slow = engine.slowest[0];
      await vscode.commands.executeCommand('dftrace.showRawLine', {
        runId: runNode.runId,
        ref: { trace: slow.trace, line: slow.line, offset: slow.offset },
      });
      const doc = vscode.window.activeTextEditor?.document;
      assert.ok(doc, 'a document is shown');
      assert.equal(doc.uri.scheme, 'dftrace-raw');
      assert.match(doc.getText(), new RegExp(`"ts": "?${slow.ts}"?`));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  });

  it('opens a .pfw.gz as its dashboard (custom editor) and parses it in the workers', async () => {
    const file = path.join(TRACES, 'resnet50-v1.0.15-2025', 'test-trace.pfw.gz');
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'dftrace.dashboard');
    const runId = `file:${file}`;
    const lease = a.registry.acquire(runId);
    try {
      const summary = await lease.summary;
      assert.equal(summary.totals.events, 74_362);
      assert.equal(a.registry.state(runId).kind, 'loaded');
    } finally {
      lease.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('releases a run after its last view closes, and a cancelled load says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dftrace-host-'));
    const run = a.registry.addFolder(dir, false);
    const lease = a.registry.acquire(run.id);
    await assert.rejects(lease.summary, /no \.pfw or \.pfw\.gz files/);
    assert.equal(a.registry.state(run.id).kind, 'failed');
    lease.dispose();
    a.registry.remove(run.id);
  });

  describe('baseline versus SCR (generated experiment)', () => {
    let exp: ScrExperiment;
    let view: { data(): Promise<CompareData> };
    before(async () => {
      exp = generateScrExperiment(mkdtempSync(path.join(tmpdir(), 'dftrace-scr-')), {
        era: '2025',
        variants: ['baseline', 'scr-flush'],
      });
      const [baseline, scr] = exp.runs.map((r) => vscode.Uri.file(r.folder));
      // the Explorer's "Compare Selected Folders": the first selected folder is the baseline
      await vscode.commands.executeCommand('dftrace.compareFolders', baseline, [baseline, scr]);
      view = a.compare.open(exp.runs.map((r) => folderRunId(r.folder)));
    });

    it('shows the checkpoint, tier and flush times the generator intended', async () => {
      const data = await view.data();
      assert.deepEqual(
        data.runs.map((r) => r.role),
        ['baseline', 'other'],
      );
      const metric = (key: string) => data.metrics.find((m) => m.key === key)!;
      exp.runs.forEach((intent, i) => {
        assert.equal(metric('checkpointTime').values[i], intent.checkpointUs, `${intent.variant} checkpoint`);
        assert.equal(
          metric('posixTime.PFS').values[i],
          intent.tiers.PFS.timeUs,
          `${intent.variant} PFS time`,
        );
        assert.equal(
          metric('posixTime.SSD').values[i],
          intent.tiers.SSD.timeUs,
          `${intent.variant} SSD time`,
        );
        assert.equal(metric('flushTime').values[i], intent.flushUs, `${intent.variant} flush`);
        assert.equal(metric('writeCalls').values[i], intent.writeCalls, `${intent.variant} write calls`);
      });
      // the question users bring: SCR with flush is slower than straight to Lustre
      assert.ok(metric('checkpointTime').ratios[1]! > 1.2);
      assert.match(data.markdown, /Checkpoint time/);
    });

    it('a slow write on the SCR side opens that run’s event list with the write selected', async () => {
      const scr = exp.runs[1];
      const slow = scr.slowWrites[0];
      const runId = folderRunId(scr.folder);
      const summary = await a.registry.acquire(runId).summary;
      const trace = summary.files.findIndex((f) => f.path === slow.trace);
      assert.ok(trace >= 0, 'the planted slow write’s trace file is in the run');
      const selected = waitFor<EventSelection>(
        a.events.onDidSelect,
        (s) => s.runId === runId && s.ref !== null && s.ref.trace === trace && s.ref.line === slow.line,
        90_000,
        'the SCR event list to select the planted slow write',
      );
      await vscode.commands.executeCommand('dftrace.jumpToEvent', {
        runId,
        file: slow.file,
        select: { trace, line: slow.line, offset: slow.offset },
      });
      assert.equal((await selected).file, slow.file);
    });
  });
});
