import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DftraceApi } from '../../src/extension';

const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
  contributes: { viewsWelcome: { view: string; contents: string }[] };
};

// A newcomer has no traces: the Runs view's welcome offers to open one, add a folder, or open the demo, which the
// extension generates itself (no ../shared on a user's machine).
describe('first-time screen and the demo runs (in the extension host)', () => {
  let a: DftraceApi;
  before(async () => {
    const ext = vscode.extensions.getExtension<DftraceApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext, 'the extension is installed');
    a = await ext.activate();
  });

  it("the Runs view's welcome links only to registered commands, the demo among them", async () => {
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === 'dftrace.runs');
    assert.ok(welcome, 'a welcome for the Runs view');
    const linked = [...welcome.contents.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(linked, ['dftrace.openTrace', 'dftrace.addRunFromFolder', 'dftrace.openDemo']);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      linked.filter((c) => !registered.has(c)),
      [],
    );
  });

  it('dftrace.openDemo generates the demo runs in global storage and adds them, baseline set', async () => {
    const before = new Set(a.registry.list().map((r) => r.id));
    const ids = await vscode.commands.executeCommand<string[]>('dftrace.openDemo');
    try {
      assert.equal(ids.length, 5);
      const runs = ids.map((id) => a.registry.get(id));
      assert.deepEqual(
        // labels get a parent folder when the workspace holds runs of the same name: compare folders
        runs.map((r) => r && path.basename(r.folder)),
        ['baseline', 'scr-flush', 'scr-noflush', 'scr-bypass', 'dlio-demo'],
      );
      for (const r of runs) assert.match(r!.folder, /demo-runs/);
      assert.equal(a.registry.baseline, ids[0]);
      const lease = a.registry.acquire(ids[4]);
      try {
        const summary = await lease.summary;
        assert.equal(summary.totals.traceFiles, 4);
        assert.equal(summary.totals.events, 4 * 40_000);
        assert.equal(summary.totals.badLines, 0);
      } finally {
        lease.dispose();
      }
      // a second time finds the runs already generated and adds nothing new
      const again = await vscode.commands.executeCommand<string[]>('dftrace.openDemo');
      assert.deepEqual(again, ids);
    } finally {
      await a.registry.setBaseline(undefined);
      for (const id of ids ?? []) if (!before.has(id)) a.registry.remove(id);
    }
  });
});
