// The run dashboard: what a run did (header), where its I/O went (per-file operations), when it wrote
// (timeline), and which writes were slow (each one jumps to the event list with that event selected).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './dashboard.css';
import { tableFromIPC } from 'apache-arrow';
import { IoKind, ioKind } from '../../src/engine/model/io-ops';
import type { DashboardSummary, ViewTarget } from '../../src/protocol';
import { clear, h, icon } from '../common/dom';
import { HostConnection } from '../common/host';
import { followRunLoad } from '../common/run-load';
import { renderHeader } from './header';
import { FileTable, type FileRow } from './file-table';
import { renderTopFilesChart } from './top-files-chart';
import { WriteTimeline } from './write-timeline';
import { renderSlowestWrites } from './slowest-writes';
import { systemMatcher } from '../../src/views/system-files';
import { systemNote } from '../common/system-note';
import { renderInsights } from './insights';

export interface DashState {
  runId?: string;
  sort?: { key: string; descending: boolean };
  filter?: string;
  tier?: string;
  groupBy?: 'tier' | 'file';
  xRange?: [number, number];
  /** The user asked to see the runtime's files although the setting hides them. */
  showSystem?: boolean;
  /** Insight findings shown expanded. */
  insightsOpen?: string[];
}

const host = new HostConnection<DashState>();
const app = document.getElementById('app')!;
let target: Extract<ViewTarget, { view: 'dashboard' }> | undefined;
let timeline: WriteTimeline | undefined;

followRunLoad(host, app, {
  init: (t) => {
    if (t.view !== 'dashboard') return false;
    const other = target?.runId !== t.runId;
    target = t;
    if (host.state?.runId !== t.runId) host.saveState({ runId: t.runId, xRange: undefined });
    return other;
  },
  title: () => target?.label ?? 'DFTracer run',
  render,
});

/** Lets the browser paint and handle input before the next part: no part of a render is one long task. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
let renders = 0;

async function render(): Promise<void> {
  if (!target) return;
  const runId = target.runId;
  const mine = ++renders;
  // a newer render (settings changed, another run) started while this one waited: this one stops
  const stale = () => mine !== renders || target?.runId !== runId;
  let summary: DashboardSummary;
  try {
    summary = await host.request({ kind: 'summary' });
  } catch (e) {
    clear(app);
    app.append(h('div', { class: 'banner error', role: 'alert' }, icon('error'), (e as Error).message));
    return;
  }
  if (stale()) return;
  clear(app);
  app.removeAttribute('aria-busy');
  const state = host.state ?? {};
  const openEvents = (file: string, op?: string, select?: { trace: number; line: number; offset: number }) =>
    host.send({ type: 'openEvents', runId, file, op, select });

  app.append(
    renderHeader(summary.header, target.siblings > 0, {
      openWholeRun: () => host.send({ type: 'openWholeRun' }),
      copy: (text) => host.send({ type: 'copyText', text }),
    }),
  );

  const insightsBox = h('section', { class: 'card', 'aria-label': 'Insights', 'data-testid': 'insights' });
  app.append(h('h2', {}, icon('lightbulb'), 'Insights'), insightsBox);
  host.request({ kind: 'insights' }).then(
    (a) =>
      renderInsights(insightsBox, a, {
        expanded: host.state?.insightsOpen ?? [],
        onExpanded: (ids) => host.saveState({ insightsOpen: ids }),
        open: (x) => {
          const ref = { trace: x.traceIndex, line: x.line, offset: x.offset };
          if (x.file) openEvents(x.file, undefined, ref);
          else host.send({ type: 'showRawLine', runId, ref });
        },
      }),
    (e: Error) =>
      insightsBox.append(h('p', { class: 'banner error', role: 'alert' }, icon('error'), e.message)),
  );

  // the header's numbers are on screen now; the tables and charts follow in parts
  await breathe();
  if (stale()) return;
  const all = fileRows(summary);
  const isSystem = systemMatcher(summary.systemFiles?.patterns ?? []);
  const system = all.filter((r) => isSystem(r.file));
  const hiding = !!summary.systemFiles?.hide && !state.showSystem;
  const rows = hiding ? all.filter((r) => !isSystem(r.file)) : all;
  const note = () =>
    summary.systemFiles?.hide
      ? systemNote(
          system.length,
          system.reduce((s, r) => s + r.durUs, 0),
          hiding,
          () => {
            host.saveState({ showSystem: hiding });
            void render();
          },
        )
      : null;
  const timelineBox = h('section', { class: 'card', 'aria-label': 'Write timeline' });
  const slowBox = h('section', { class: 'card', 'aria-label': 'Slowest writes' });
  const chartBox = h('section', { class: 'card chart-card', 'aria-label': 'Top files by I/O time' });
  const tableBox = h('section', { class: 'card', 'aria-label': 'Operations per file' });
  app.append(
    h('h2', {}, icon('graph-scatter'), 'Write timeline'),
    timelineBox,
    h('h2', {}, icon('flame'), 'Slowest writes'),
    slowBox,
    h('h2', {}, icon('graph'), 'Top files by I/O time'),
    chartBox,
    h('h2', {}, icon('table'), 'Operations per file'),
    tableBox,
  );

  timeline?.dispose();
  timeline = new WriteTimeline(timelineBox, {
    groupBy: state.groupBy ?? 'tier',
    xRange: state.xRange,
    fetch: (groupBy) => host.request({ kind: 'writes', maxPoints: 20_000, groupBy }),
    onState: (s) => host.saveState(s),
    open: (file, ref) => openEvents(file, undefined, ref),
    slowLabel: summary.slowThresholdLabel,
    tierOrder: [],
  });
  // the writes are fetched (and the chart bundle loaded) while the rest is built
  const timelineLoaded = timeline.load();
  renderSlowestWrites(slowBox, summary, (w) =>
    openEvents(w.file, undefined, { trace: w.trace, line: w.line, offset: w.offset }),
  );
  await breathe();
  if (stale()) return;
  const chartNote = note();
  if (chartNote) chartBox.append(chartNote);
  renderTopFilesChart(chartBox, rows, (file) => openEvents(file));
  await breathe();
  if (stale()) return;
  const table = new FileTable(rows, summary.header.noArgs, {
    sort: state.sort,
    filter: state.filter,
    tier: state.tier,
    onState: (s) => host.saveState(s),
    open: (file) => openEvents(file),
  });
  const tableNote = note();
  if (tableNote) tableBox.append(tableNote);
  tableBox.append(table.element);
  await timelineLoaded;
}

/** One row per accessed file: totals plus counts per op, from the (file, cat, op) rows. */
function fileRows(summary: DashboardSummary): FileRow[] {
  const t = tableFromIPC(summary.ops);
  const file = t.getChild('file')!;
  const tier = t.getChild('tier')!;
  const op = t.getChild('op')!;
  const count = t.getChild('count')!.toArray() as Float64Array;
  const bytes = t.getChild('bytes')!.toArray() as Float64Array;
  const dur = t.getChild('durUs')!.toArray() as Float64Array;
  // the iterators walk the chunks once; get(i) searches for the chunk on every call
  const strings = (col: typeof file) => Array.from(col, (v) => String(v ?? ''));
  const files = strings(file);
  const tiers = strings(tier);
  const ops = strings(op);
  const byFile = new Map<string, FileRow>();
  for (let i = 0; i < t.numRows; i++) {
    const f = files[i];
    let row = byFile.get(f);
    if (!row) {
      row = {
        file: f,
        tier: tiers[i],
        ops: {},
        opsUs: {},
        count: 0,
        readBytes: 0,
        writeBytes: 0,
        durUs: 0,
      };
      byFile.set(f, row);
    }
    const name = ops[i];
    row.ops[name] = (row.ops[name] ?? 0) + count[i];
    row.opsUs[name] = (row.opsUs[name] ?? 0) + dur[i];
    row.count += count[i];
    row.durUs += dur[i];
    const kind = ioKind(name);
    if (kind === IoKind.Write) row.writeBytes += bytes[i];
    else if (kind === IoKind.Read) row.readBytes += bytes[i];
  }
  return [...byFile.values()];
}
