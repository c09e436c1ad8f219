import * as path from 'node:path';
import * as vscode from 'vscode';
import { naturalCompare, type RunOpRow, type RunSummary } from '../engine';
import { tierOf } from '../engine/compare/tiers';
import type { RunId, RunInfo, RunRegistry } from '../runs/run-registry';
import { readSettings } from '../runs/settings';
import { fmtBytes, fmtCount, fmtUs } from '../engine/format';
import { shortestUniqueSuffixes } from './path-labels';
import { systemMatcher } from './system-files';
import { tierColorId } from './tier-palette';

export type GroupBy = 'tier' | 'directory';

export type RunsNode =
  | { kind: 'run'; id: string; runId: RunId }
  | { kind: 'group'; id: string; runId: RunId; group: string }
  | { kind: 'file'; id: string; runId: RunId; group: string; file: string }
  | { kind: 'op'; id: string; runId: RunId; group: string; file: string; cat: string; op: string }
  | {
      kind: 'message';
      id: string;
      runId: RunId;
      text: string;
      icon: string;
      command?: string;
      tooltip?: string;
    };

interface FileStats {
  ops: RunOpRow[];
  count: number;
  bytes: number;
  durUs: number;
}

/** Per run: accessed files by group, computed once per loaded summary and grouping. */
interface RunIndex {
  summary: RunSummary;
  groupBy: GroupBy;
  groups: Map<string, Map<string, FileStats>>;
  /** Tree labels: the shortest path suffix that tells a file apart from the run's other files. */
  labels: Map<string, string>;
  /** System files left out (setting dftrace.hideSystemFiles), or shown because the user asked for them. */
  system: { files: number; durUs: number; shown: boolean };
}

/**
 * Runs -> accessed files (grouped by storage tier or directory) -> POSIX/STDIO operations. Children are computed
 * when a node expands; expanding a run loads it (and holds it in memory until it collapses). Every node has a
 * stable id and a parent, so `reveal` works.
 */
export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, RunsNode>();
  private readonly indexes = new Map<RunId, RunIndex>();
  private readonly leases = new Map<RunId, vscode.Disposable>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private grouping: GroupBy = 'tier';
  /** The user clicked "show them" on the hidden system files (until clicked again). */
  private showSystem = false;

  get groupBy(): GroupBy {
    return this.grouping;
  }

  constructor(private readonly registry: RunRegistry) {
    this.subscriptions.push(
      registry.onDidChangeRuns(() => this.changed.fire(undefined)),
      registry.onDidChangeState((runId) => {
        const state = registry.state(runId);
        if (state.kind !== 'loaded') this.indexes.delete(runId);
        const node = this.nodes.get(runKey(runId));
        // progress ticks only change the run's description; structure changes when loading ends
        this.changed.fire(node);
      }),
    );
    void vscode.commands.executeCommand('setContext', 'dftrace.groupBy', this.groupBy);
    this.subscriptions.push(
      vscode.commands.registerCommand('dftrace.toggleSystemFiles', () => {
        this.showSystem = !this.showSystem;
        this.indexes.clear();
        this.changed.fire(undefined);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          e.affectsConfiguration('dftrace.hideSystemFiles') ||
          e.affectsConfiguration('dftrace.systemFilePatterns')
        ) {
          this.indexes.clear();
          this.changed.fire(undefined);
        }
      }),
    );
  }

  /** Asks the view for its runs again. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  setGroupBy(g: GroupBy): void {
    this.grouping = g;
    this.indexes.clear();
    void vscode.commands.executeCommand('setContext', 'dftrace.groupBy', g);
    this.changed.fire(undefined);
  }

  /** The tree view calls these when a run expands or collapses. */
  expanded(node: RunsNode): void {
    if (node.kind === 'run' && !this.leases.has(node.runId)) {
      const lease = this.registry.acquire(node.runId);
      lease.summary.catch(() => undefined);
      this.leases.set(node.runId, lease);
    }
  }

  collapsed(node: RunsNode): void {
    if (node.kind !== 'run') return;
    this.leases.get(node.runId)?.dispose();
    this.leases.delete(node.runId);
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return this.runItem(node);
      case 'group': {
        const stats = this.groupStats(node.runId, node.group);
        const item = new vscode.TreeItem(
          node.group || '(no file)',
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = node.id;
        item.description = stats
          ? `${fmtCount(stats.files)} ${stats.files === 1 ? 'file' : 'files'} · ${fmtBytes(stats.bytes)} · ${fmtUs(stats.durUs)}`
          : '';
        // the tier's colour is the one its writes have in every chart
        item.iconPath =
          this.groupBy === 'tier'
            ? new vscode.ThemeIcon('database', new vscode.ThemeColor(tierColorId(node.group)))
            : new vscode.ThemeIcon('folder');
        item.contextValue = 'group';
        return item;
      }
      case 'file': {
        const stats = this.fileStats(node.runId, node.group, node.file);
        // the shortest suffix that no other file of the run shares; the full path is in description and tooltip
        const label = !node.file
          ? '(no file)'
          : (this.indexes.get(node.runId)?.labels.get(node.file) ?? path.basename(node.file));
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        if (stats) {
          item.description = `${fmtUs(stats.durUs)} · ${fmtCount(stats.count)} ops · ${fmtBytes(stats.bytes)} · ${node.file}`;
          // a plain string: trace text is never rendered as markdown (a file may be named <b>x</b>)
          item.tooltip =
            `${node.file || '(events without a file)'}\n` +
            stats.ops
              .map(
                (o) =>
                  `${o.op}: ${fmtCount(o.count)} ${o.count === 1 ? 'call' : 'calls'}, ${fmtBytes(o.bytes)}, ${fmtUs(o.durUs)}`,
              )
              .join('\n');
        }
        item.resourceUri = node.file ? vscode.Uri.file(node.file) : undefined;
        item.iconPath = vscode.ThemeIcon.File;
        item.contextValue = 'accessedFile';
        return item;
      }
      case 'op': {
        const row = this.fileStats(node.runId, node.group, node.file)?.ops.find(
          (o) => o.op === node.op && o.cat === node.cat,
        );
        const item = new vscode.TreeItem(node.op || '(unnamed)', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        if (row) {
          item.description = `${fmtCount(row.count)} × · ${fmtBytes(row.bytes)} · ${fmtUs(row.durUs)}`;
          item.tooltip = `${node.cat} ${node.op} on ${node.file}\n${row.count} calls, ${row.bytes} bytes, ${row.durUs} µs (max ${row.durMaxUs} µs)`;
        }
        item.iconPath = new vscode.ThemeIcon(opIcon(node.op));
        item.contextValue = 'op';
        item.command = {
          command: 'dftrace.openEvents',
          title: 'Open Event List',
          arguments: [{ runId: node.runId, file: node.file, op: node.op }],
        };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.tooltip) item.tooltip = node.tooltip;
        if (node.command) item.command = { command: node.command, title: node.text };
        return item;
      }
      default: {
        const never: never = node;
        throw new Error(`unknown node ${JSON.stringify(never)}`);
      }
    }
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node)
      return this.registry.list().map((r) => this.node({ kind: 'run', id: runKey(r.id), runId: r.id }));
    switch (node.kind) {
      case 'run': {
        this.expanded(node);
        const index = await this.index(node.runId);
        if (!index) return [this.messageFor(node.runId)];
        // the heaviest tier (or directory) first, like the files inside it
        const weight = (g: string) => this.groupStats(node.runId, g)?.durUs ?? 0;
        const groups = [...index.groups.keys()].sort((a, b) => weight(b) - weight(a) || naturalCompare(a, b));
        const system = index.system.files
          ? [
              this.node({
                kind: 'message',
                id: `${node.id}/system:${index.system.shown}:${index.system.files}`,
                runId: node.runId,
                text: index.system.shown
                  ? `Showing ${fmtCount(index.system.files)} system ${index.system.files === 1 ? 'file' : 'files'} (${fmtUs(index.system.durUs)}): hide them`
                  : `${fmtCount(index.system.files)} system ${index.system.files === 1 ? 'file' : 'files'} hidden (${fmtUs(index.system.durUs)} of I/O time): show them`,
                icon: index.system.shown ? 'eye' : 'eye-closed',
                command: 'dftrace.toggleSystemFiles',
              }),
            ]
          : [];
        if (index.groups.size === 0 && system.length) return system;
        if (index.groups.size === 0) {
          const text =
            index.summary.totals.eventsWithArgs === 0
              ? 'No file names recorded (traced without DFTRACER_INC_METADATA=1)'
              : 'No POSIX or STDIO operations';
          return [
            this.node({ kind: 'message', id: `${node.id}/none`, runId: node.runId, text, icon: 'info' }),
          ];
        }
        return [
          ...groups.map((group) =>
            this.node({ kind: 'group', id: `${node.id}/g:${group}`, runId: node.runId, group }),
          ),
          ...system,
        ];
      }
      case 'group': {
        const files = (await this.index(node.runId))?.groups.get(node.group);
        if (!files) return [];
        // the files that cost the most I/O time first: that is where a performance question starts
        return [...files.entries()]
          .sort((a, b) => b[1].durUs - a[1].durUs || naturalCompare(a[0], b[0]))
          .map(([file]) =>
            this.node({
              kind: 'file',
              id: `${node.id}/f:${file}`,
              runId: node.runId,
              group: node.group,
              file,
            }),
          );
      }
      case 'file': {
        const stats = this.fileStats(node.runId, node.group, node.file);
        if (!stats) return [];
        return [...stats.ops]
          .sort((a, b) => b.durUs - a.durUs)
          .map((o) =>
            this.node({
              kind: 'op',
              id: `${node.id}/o:${o.cat}:${o.op}`,
              runId: node.runId,
              group: node.group,
              file: node.file,
              cat: o.cat,
              op: o.op,
            }),
          );
      }
      case 'op':
      case 'message':
        return [];
      default: {
        const never: never = node;
        throw new Error(`unknown node ${JSON.stringify(never)}`);
      }
    }
  }

  getParent(node: RunsNode): RunsNode | undefined {
    switch (node.kind) {
      case 'run':
        return undefined;
      case 'group':
      case 'message':
        return (
          this.nodes.get(runKey(node.runId)) ?? { kind: 'run', id: runKey(node.runId), runId: node.runId }
        );
      case 'file':
        return this.node({
          kind: 'group',
          id: `${runKey(node.runId)}/g:${node.group}`,
          runId: node.runId,
          group: node.group,
        });
      case 'op':
        return this.node({
          kind: 'file',
          id: `${runKey(node.runId)}/g:${node.group}/f:${node.file}`,
          runId: node.runId,
          group: node.group,
          file: node.file,
        });
      default: {
        const never: never = node;
        throw new Error(`unknown node ${JSON.stringify(never)}`);
      }
    }
  }

  /** The node of an accessed file (for reveal), once the run is loaded. */
  async fileNode(runId: RunId, file: string): Promise<RunsNode | undefined> {
    const index = await this.index(runId);
    if (!index) return undefined;
    for (const [group, files] of index.groups) {
      if (files.has(file)) {
        return this.node({ kind: 'file', id: `${runKey(runId)}/g:${group}/f:${file}`, runId, group, file });
      }
    }
    return undefined;
  }

  dispose(): void {
    for (const l of this.leases.values()) l.dispose();
    this.changed.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  private node<T extends RunsNode>(n: T): T {
    const known = this.nodes.get(n.id) as T | undefined;
    if (known) return known;
    this.nodes.set(n.id, n);
    return n;
  }

  private runItem(node: Extract<RunsNode, { kind: 'run' }>): vscode.TreeItem {
    const run = this.registry.get(node.runId);
    const state = this.registry.state(node.runId);
    const item = new vscode.TreeItem(run?.label ?? node.runId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const baseline = this.registry.baseline === node.runId;
    item.contextValue = baseline ? 'run.baseline' : 'run';
    item.tooltip = `${run?.label}${baseline ? ' (baseline)' : ''}\n${run?.folder}`;
    switch (state.kind) {
      case 'idle':
        item.description = baseline ? 'baseline' : '';
        item.iconPath = new vscode.ThemeIcon(baseline ? 'pinned' : 'pulse');
        break;
      case 'loading': {
        const p = state.progress;
        const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0;
        item.description = `reading… ${pct}%`;
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        break;
      }
      case 'loaded': {
        const t = state.summary.totals;
        item.description =
          `${baseline ? 'baseline · ' : ''}${fmtCount(t.traceFiles)} ${t.traceFiles === 1 ? 'file' : 'files'} · ${fmtCount(t.events)} ${t.events === 1 ? 'event' : 'events'}` +
          (t.badLines ? ` · ${fmtCount(t.badLines)} bad ${t.badLines === 1 ? 'line' : 'lines'}` : '');
        item.iconPath = new vscode.ThemeIcon(baseline ? 'pinned' : 'pulse');
        break;
      }
      case 'failed':
        item.description = `failed: ${state.message}`;
        item.iconPath = new vscode.ThemeIcon('error');
        break;
      default: {
        const never: never = state;
        throw new Error(`unknown state ${JSON.stringify(never)}`);
      }
    }
    return item;
  }

  private messageFor(runId: RunId): RunsNode {
    const state = this.registry.state(runId);
    const text = state.kind === 'failed' ? `Could not read: ${state.message}` : 'Reading…';
    const icon = state.kind === 'failed' ? 'error' : 'loading~spin';
    return this.node({ kind: 'message', id: `${runKey(runId)}/state:${state.kind}`, runId, text, icon });
  }

  private async index(runId: RunId): Promise<RunIndex | undefined> {
    const cached = this.indexes.get(runId);
    if (cached && cached.groupBy === this.groupBy) return cached;
    const state = this.registry.state(runId);
    let summary: RunSummary;
    if (state.kind === 'loaded') summary = state.summary;
    else {
      const lease = this.leases.get(runId) as { summary?: Promise<RunSummary> } | undefined;
      if (!lease?.summary) return undefined;
      try {
        summary = await lease.summary;
      } catch {
        return undefined;
      }
    }
    const settings = readSettings();
    const tiers = settings.tiers;
    const isSystem = systemMatcher(settings.systemFiles.patterns);
    const groups = new Map<string, Map<string, FileStats>>();
    const system = { files: new Set<string>(), durUs: 0 };
    const hide = settings.systemFiles.hide && !this.showSystem;
    for (const row of summary.ops) {
      if (isSystem(row.file)) {
        system.files.add(row.file);
        system.durUs += row.durUs;
        if (hide) continue;
      }
      const group = this.groupBy === 'tier' ? tierOf(row.file, tiers) : path.dirname(row.file || '/');
      let files = groups.get(group);
      if (!files) groups.set(group, (files = new Map()));
      let stats = files.get(row.file);
      if (!stats) files.set(row.file, (stats = { ops: [], count: 0, bytes: 0, durUs: 0 }));
      stats.ops.push(row);
      stats.count += row.count;
      stats.bytes += row.bytes;
      stats.durUs += row.durUs;
    }
    const index: RunIndex = {
      summary,
      groupBy: this.groupBy,
      groups,
      labels: shortestUniqueSuffixes(summary.ops.map((o) => o.file).filter(Boolean)),
      system: settings.systemFiles.hide
        ? { files: system.files.size, durUs: system.durUs, shown: !hide }
        : { files: 0, durUs: 0, shown: true },
    };
    this.indexes.set(runId, index);
    return index;
  }

  private groupStats(runId: RunId, group: string) {
    const files = this.indexes.get(runId)?.groups.get(group);
    if (!files) return undefined;
    let bytes = 0;
    let durUs = 0;
    for (const s of files.values()) {
      bytes += s.bytes;
      durUs += s.durUs;
    }
    return { files: files.size, bytes, durUs };
  }

  private fileStats(runId: RunId, group: string, file: string): FileStats | undefined {
    return this.indexes.get(runId)?.groups.get(group)?.get(file);
  }
}

function runKey(runId: RunId): string {
  return `run:${runId}`;
}

function opIcon(op: string): string {
  if (/write|fwrite|pwrite/.test(op)) return 'arrow-up';
  if (/read|fread|pread/.test(op)) return 'arrow-down';
  if (/open|close/.test(op)) return 'file';
  if (/stat|access/.test(op)) return 'info';
  if (/seek/.test(op)) return 'debug-step-over';
  if (/sync/.test(op)) return 'sync';
  if (/mmap/.test(op)) return 'symbol-array';
  return 'symbol-event';
}

export type { RunInfo };
