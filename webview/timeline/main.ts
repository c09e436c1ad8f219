// The event timeline of a run: lanes per thread with a density level of detail, bandwidth and counter tracks,
// checkpoint spans, range selection with aggregates, a filter box, event fields with jumps, a call tree (icicle)
// and per-op distributions. Every picture is asked of the host for what is visible; nothing holds the whole run.
import './timeline.css';
import { tableFromIPC } from 'apache-arrow';
import type {
  TimelineAggregate,
  TimelineCallTree,
  TimelineEventDetail,
  TimelineGroupBy,
  TimelineOverview,
  TimelineRange,
} from '../../src/protocol';
import { clear, h, icon } from '../common/dom';
import { boxAt, drawHistogram, drawIcicle } from './charts';
import { TimelineConnection } from './connection';
import { LanesCanvas, type Selection } from './lanes-canvas';
import { fmtBytes, fmtDur } from './time-axis';

interface SavedState {
  runId: string;
  view?: { t0: number; t1: number };
  filter?: string;
  groupBy?: TimelineGroupBy;
  tab?: Tab;
}

type Tab = 'timeline' | 'tree' | 'histogram';

const host = new TimelineConnection<SavedState>();
const app = document.getElementById('app')!;

let ov: TimelineOverview | null = null;
let lanes: LanesCanvas | null = null;
let filter = host.state?.filter ?? '';
let groupBy: TimelineGroupBy = host.state?.groupBy ?? 'op';
let tab: Tab = host.state?.tab ?? 'timeline';
let selection: Selection | null = null;
let tileInFlight = false;
let tileWanted = false;
let starting: Promise<void> | null = null;

const status = h('span', { class: 'tl-status', id: 'tl-status' });
const filterInput = h('input', {
  type: 'text',
  id: 'tl-filter',
  placeholder: 'filter: cat == "POSIX" and dur > 1000 and file ~ "ckpt"',
  'aria-label': 'Filter expression',
  spellcheck: 'false',
}) as HTMLInputElement;
const filterError = h('div', { class: 'tl-error', id: 'tl-filter-error', role: 'alert' });
const groupSelect = h(
  'select',
  { id: 'tl-group', 'aria-label': 'Aggregate the selection by' },
  ...(['op', 'file', 'process', 'cat'] as TimelineGroupBy[]).map((g) =>
    h('option', { value: g, selected: g === groupBy }, `by ${g === 'cat' ? 'category' : g}`),
  ),
) as HTMLSelectElement;
const tabButtons = new Map<Tab, HTMLButtonElement>();
const tip = h('div', { class: 'tl-tip', id: 'tl-tip' });
const aggregatePane = h('section', { id: 'tl-aggregate', 'aria-label': 'Selection aggregate' });
const detailPane = h('section', { id: 'tl-event', 'aria-label': 'Selected event' });
const timelinePane = h('div', { id: 'tl-timeline' });
const treePane = h('div', { id: 'tl-tree', class: 'hidden' });
const histPane = h('div', { id: 'tl-hist', class: 'hidden' });

function setStatus(text: string): void {
  status.textContent = text;
}

host.on((msg) => {
  switch (msg.type) {
    case 'init':
      host.saveState({ runId: msg.runId });
      setStatus(`Opening ${msg.label}…`);
      return;
    case 'progress':
      setStatus(msg.message);
      return;
    case 'loaded':
      // the host says `loaded` after every state change: start once
      if (!starting) starting = start();
      return;
    case 'loadFailed':
      setStatus(`Could not read the run: ${msg.message}`);
      app.removeAttribute('aria-busy');
      return;
    default: {
      const never: never = msg;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
host.send({ type: 'ready' });

async function start(): Promise<void> {
  const started = performance.now();
  ov = await host.request({ kind: 'overview' });
  clear(app);
  app.removeAttribute('aria-busy');
  const saved = host.state?.view;
  lanes = new LanesCanvas(
    ov,
    {
      onView: () => {
        host.saveState({ view: lanes!.view });
        requestTile();
      },
      onSelect: (sel) => {
        selection = sel;
        void showAggregate();
      },
      onEvent: (row) => void showEvent(row),
    },
    saved && saved.t1 > saved.t0 ? saved : undefined,
  );
  const toolbar = h(
    'div',
    { class: 'tl-toolbar', role: 'toolbar' },
    filterInput,
    groupSelect,
    ...(['timeline', 'tree', 'histogram'] as Tab[]).map((t) => {
      const b = h(
        'button',
        { type: 'button', id: `tl-tab-${t}`, onclick: () => setTab(t) },
        t === 'timeline' ? 'Timeline' : t === 'tree' ? 'Call tree' : 'Distributions',
      ) as HTMLButtonElement;
      tabButtons.set(t, b);
      return b;
    }),
    h(
      'button',
      { type: 'button', title: 'Zoom to the whole run (0)', onclick: () => lanes!.fit() },
      icon('screen-full'),
      ' Fit',
    ),
    status,
  );
  filterInput.value = filter;
  filterInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') applyFilter(filterInput.value);
  });
  filterInput.addEventListener('change', () => applyFilter(filterInput.value));
  groupSelect.addEventListener('change', () => {
    groupBy = groupSelect.value as TimelineGroupBy;
    host.saveState({ groupBy });
    void showAggregate();
  });
  lanes.canvas.addEventListener('mousemove', (e) => {
    const r = lanes!.canvas.getBoundingClientRect();
    tip.textContent = lanes!.describe(e.clientX - r.left, e.clientY - r.top);
  });
  timelinePane.append(lanes.canvas, tip, h('div', { class: 'tl-panes' }, aggregatePane, detailPane));
  app.append(toolbar, filterError, timelinePane, treePane, histPane);
  new ResizeObserver(() => {
    lanes!.render();
    requestTile();
  }).observe(lanes.canvas);
  aggregatePane.append(
    h(
      'p',
      { class: 'tl-status' },
      'Drag across lanes to aggregate a time range; click an event for its fields.',
    ),
  );
  lanes.render();
  await fetchTile();
  const first = performance.now() - started;
  lanes.canvas.dataset.firstPaintMs = String(Math.round(first));
  setStatus(
    `${ov.events.toLocaleString()} events · ${ov.lanes.length} lanes · events read in ${ov.loadSeconds.toFixed(1)} s · first paint ${Math.round(first)} ms`,
  );
  setTab(tab);
}

function applyFilter(text: string): void {
  filter = text.trim();
  host.saveState({ filter });
  filterError.textContent = '';
  filterInput.classList.remove('invalid');
  requestTile();
  if (selection) void showAggregate();
  if (tab !== 'timeline') setTab(tab);
}

function requestTile(): void {
  tileWanted = true;
  if (!tileInFlight) void fetchTile();
}

/** One tile request at a time; the newest view wins (views that changed meanwhile are not asked for). */
async function fetchTile(): Promise<void> {
  if (!lanes || !ov) return;
  tileWanted = false;
  tileInFlight = true;
  const [first, last] = lanes.visibleLanes();
  const laneList: number[] = [];
  for (let k = first; k <= last; k++) laneList.push(k);
  const asked = performance.now();
  try {
    const tile = await host.request({
      kind: 'tile',
      t0: lanes.view.t0,
      t1: lanes.view.t1,
      columns: lanes.columns,
      lanes: laneList,
      filter,
    });
    lanes.canvas.dataset.tileMs = String(Math.round(performance.now() - asked));
    lanes.setTile(tile);
    lanes.canvas.dataset.tiles = String(Number(lanes.canvas.dataset.tiles ?? '0') + 1);
  } catch (e) {
    filterError.textContent = (e as Error).message;
    filterInput.classList.add('invalid');
  } finally {
    tileInFlight = false;
    if (tileWanted) void fetchTile();
  }
}

function rangeOf(sel: Selection): TimelineRange {
  const list: number[] = [];
  for (let k = sel.laneFrom; k <= sel.laneTo; k++) list.push(k);
  return { t0: sel.t0, t1: sel.t1, lanes: list };
}

async function showAggregate(): Promise<void> {
  clear(aggregatePane);
  if (!selection) {
    aggregatePane.append(h('p', { class: 'tl-status' }, 'Drag across lanes to aggregate a time range.'));
    return;
  }
  const r = rangeOf(selection);
  let a: TimelineAggregate;
  try {
    a = await host.request({ kind: 'aggregate', ...r, by: groupBy, filter });
  } catch (e) {
    aggregatePane.append(h('p', { class: 'tl-error' }, (e as Error).message));
    return;
  }
  const t = tableFromIPC(a.table);
  const col = (n: string) => t.getChild(n)!;
  const keys = col('key');
  const shown = Math.min(t.numRows, 200);
  const head = h(
    'tr',
    {},
    h('th', {}, groupBy === 'cat' ? 'category' : groupBy),
    h('th', { class: 'num' }, 'count'),
    h('th', { class: 'num' }, 'bytes'),
    h('th', { class: 'num' }, 'summed time'),
    h(
      'th',
      { class: 'num', title: 'Time when at least one of the events ran: overlaps counted once' },
      'busy time',
    ),
  );
  const rows = [];
  for (let i = 0; i < shown; i++) {
    rows.push(
      h(
        'tr',
        {},
        h('td', {}, String(keys.get(i) ?? '') || '(none)'),
        h('td', { class: 'num' }, Number(col('count').get(i)).toLocaleString()),
        h('td', { class: 'num' }, fmtBytes(Number(col('bytes').get(i)))),
        h('td', { class: 'num' }, fmtDur(Number(col('durUs').get(i)))),
        h('td', { class: 'num' }, fmtDur(Number(col('busyUs').get(i)))),
      ),
    );
  }
  const total = h(
    'tr',
    { class: 'total' },
    h('th', {}, 'all'),
    h('th', { class: 'num', 'data-count': a.total.count }, a.total.count.toLocaleString()),
    h('th', { class: 'num' }, fmtBytes(a.total.bytes)),
    h('th', { class: 'num' }, fmtDur(a.total.durUs)),
    h('th', { class: 'num', 'data-busy-us': a.total.busyUs }, fmtDur(a.total.busyUs)),
  );
  aggregatePane.append(
    h(
      'h2',
      {},
      icon('graph'),
      `Selection: ${fmtDur(selection.t1 - selection.t0)} on ${r.lanes.length} lane${r.lanes.length === 1 ? '' : 's'}`,
    ),
    h(
      'table',
      { id: 'tl-aggregate-table', 'data-t0': r.t0, 'data-t1': r.t1, 'data-lanes': r.lanes.join(',') },
      h('thead', {}, head),
      h('tbody', {}, ...rows, total),
    ),
    a.groups > shown ? h('p', { class: 'tl-status' }, `${a.groups - shown} more groups not shown`) : '',
  );
  if (tab !== 'timeline') setTab(tab);
}

async function showEvent(row: number | null): Promise<void> {
  clear(detailPane);
  if (row === null) return;
  const e: TimelineEventDetail = await host.request({ kind: 'event', row });
  const field = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v)];
  detailPane.append(
    h('h2', {}, icon('symbol-event'), e.name),
    h(
      'dl',
      { class: 'tl-fields', id: 'tl-event-fields' },
      ...field('category', e.cat),
      ...field('start', `${fmtDur(e.relUs)} after the run started (ts ${e.ts})`),
      ...field('duration', fmtDur(e.dur)),
      ...field('process', `${e.host ? `${e.host} ` : ''}pid ${e.pid} tid ${e.tid}`),
      ...field('file', e.file || '(none)'),
      ...field('bytes', e.bytes > 0 ? `${fmtBytes(e.bytes)} (${e.bytes.toLocaleString()})` : '–'),
      ...(e.level !== null ? field('level', String(e.level)) : []),
      ...(e.id !== null ? field('id', String(e.id)) : []),
      ...(e.pIdx !== null ? field('p_idx', String(e.pIdx)) : []),
      ...field('trace', `${e.trace}:${e.ref.line}`),
    ),
    h(
      'div',
      { class: 'tl-toolbar' },
      h(
        'button',
        {
          type: 'button',
          id: 'tl-open-events',
          onclick: () => host.send({ type: 'openEvents', file: e.file, select: e.ref }),
        },
        icon('list-flat'),
        ' Show in the event list',
      ),
      h(
        'button',
        { type: 'button', id: 'tl-raw-line', onclick: () => host.send({ type: 'showRawLine', ref: e.ref }) },
        icon('json'),
        ' Raw line',
      ),
    ),
  );
}

function setTab(next: Tab): void {
  tab = next;
  host.saveState({ tab });
  for (const [t, b] of tabButtons) {
    b.classList.toggle('active', t === tab);
    b.setAttribute('aria-pressed', String(t === tab));
  }
  timelinePane.classList.toggle('hidden', tab !== 'timeline');
  treePane.classList.toggle('hidden', tab !== 'tree');
  histPane.classList.toggle('hidden', tab !== 'histogram');
  if (tab === 'timeline') lanes?.render();
  if (tab === 'tree') void showTree();
  if (tab === 'histogram') void showHistogram();
}

function scopeNote(): string {
  return selection
    ? `the selection (${fmtDur(selection.t1 - selection.t0)}, ${selection.laneTo - selection.laneFrom + 1} lanes)`
    : 'the whole run';
}

async function showTree(): Promise<void> {
  clear(treePane);
  let t: TimelineCallTree;
  try {
    t = await host.request({ kind: 'callTree', range: selection ? rangeOf(selection) : undefined, filter });
  } catch (e) {
    treePane.append(h('p', { class: 'tl-error' }, (e as Error).message));
    return;
  }
  const how =
    t.source === 'p_idx'
      ? 'parents from args.p_idx'
      : t.source === 'containment'
        ? 'parents from time containment per thread (no p_idx in these traces)'
        : t.source === 'mixed'
          ? 'parents from p_idx where written, else time containment'
          : 'no nesting found';
  const info = h(
    'div',
    { class: 'tl-tip', id: 'tl-tree-info' },
    'Hover a node for its total and self time; click it to filter the timeline to its events.',
  );
  const canvas = h('canvas', {
    class: 'tl-chart',
    id: 'tl-icicle',
    tabindex: 0,
    role: 'img',
    'aria-label': 'Call tree icicle',
  });
  treePane.append(
    h('h2', {}, icon('type-hierarchy'), `Call tree of ${scopeNote()}`),
    h('p', { class: 'tl-status' }, how),
    info,
    canvas,
  );
  const palette = [
    '--vscode-charts-blue',
    '--vscode-charts-orange',
    '--vscode-charts-green',
    '--vscode-charts-purple',
    '--vscode-charts-red',
    '--vscode-charts-yellow',
  ];
  const style = getComputedStyle(document.body);
  const color = (name: string) => {
    let hsh = 0;
    for (let i = 0; i < name.length; i++) hsh = (hsh * 31 + name.charCodeAt(i)) | 0;
    return style.getPropertyValue(palette[Math.abs(hsh) % palette.length]).trim() || '#3794ff';
  };
  let boxes = drawIcicle(canvas, t, color, null);
  let hover: number | null = null;
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const node = boxAt(boxes, e.clientX - r.left, e.clientY - r.top);
    if (node === hover) return;
    hover = node;
    boxes = drawIcicle(canvas, t, color, hover);
    info.textContent =
      node === null
        ? ''
        : `${t.name[node]}: ${t.count[node].toLocaleString()} calls · total ${fmtDur(t.totalUs[node])} · self ${fmtDur(t.selfUs[node])}`;
  });
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const node = boxAt(boxes, e.clientX - r.left, e.clientY - r.top);
    if (node === null || node === 0) return;
    filterInput.value = `name == "${t.name[node].replace(/"/g, '\\"')}"`;
    applyFilter(filterInput.value);
    setTab('timeline');
  });
}

async function showHistogram(): Promise<void> {
  if (!ov) return;
  clear(histPane);
  const opSelect = h(
    'select',
    { id: 'tl-hist-op', 'aria-label': 'Operation' },
    ...ov.ops
      .slice(0, 200)
      .map((o) => h('option', { value: o.op }, `${o.op || '(no name)'} (${o.count.toLocaleString()})`)),
  ) as HTMLSelectElement;
  const preferred = ov.ops.find((o) => /^(p?write|fwrite|write64|pwrite64)$/.test(o.op)) ?? ov.ops[0];
  if (preferred) opSelect.value = preferred.op;
  const durCanvas = h('canvas', { class: 'tl-chart hist', role: 'img', 'aria-label': 'Duration histogram' });
  const sizeCanvas = h('canvas', {
    class: 'tl-chart hist',
    role: 'img',
    'aria-label': 'Transfer size histogram',
  });
  const durInfo = h('p', { class: 'tl-status', id: 'tl-hist-dur' });
  const sizeInfo = h('p', { class: 'tl-status', id: 'tl-hist-size' });
  histPane.append(
    h('h2', {}, icon('graph-left'), `Distributions in ${scopeNote()}`),
    h('div', { class: 'tl-toolbar' }, opSelect),
    h('h2', {}, 'Duration'),
    durInfo,
    durCanvas,
    h('h2', {}, 'Bytes per call'),
    sizeInfo,
    sizeCanvas,
  );
  const draw = async () => {
    const range = selection ? rangeOf(selection) : undefined;
    const [d, b] = await Promise.all([
      host.request({ kind: 'histogram', op: opSelect.value, measure: 'dur', range, filter }),
      host.request({ kind: 'histogram', op: opSelect.value, measure: 'bytes', range, filter }),
    ]);
    durInfo.textContent = `${d.count.toLocaleString()} calls · p50 ${fmtDur(d.p50)} · p90 ${fmtDur(d.p90)} · p95 ${fmtDur(d.p95)} · p99 ${fmtDur(d.p99)} · max ${fmtDur(d.max)}`;
    drawHistogram(durCanvas, d, 'dur');
    const moves = b.max > 0;
    sizeInfo.textContent = moves
      ? `${b.count.toLocaleString()} calls · p50 ${fmtBytes(b.p50)} · p90 ${fmtBytes(b.p90)} · p95 ${fmtBytes(b.p95)} · p99 ${fmtBytes(b.p99)} · max ${fmtBytes(b.max)}`
      : 'This operation moves no bytes (or the trace has no args).';
    sizeCanvas.classList.toggle('hidden', !moves);
    if (moves) drawHistogram(sizeCanvas, b, 'bytes');
  };
  opSelect.addEventListener('change', () => void draw());
  await draw();
}
