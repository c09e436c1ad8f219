// Baseline versus other runs: the metrics table users used to build by hand, per-file-pattern figures, and the
// runs' write timelines side by side with zoom and pan kept in sync. Every write opens in its own run's event list.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import './compare.css';
import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import type { CompareData, MetricRow, PatternOpsAnswer, ViewTarget } from '../../src/protocol';
import { clear, h, icon } from '../common/dom';
import { HostConnection } from '../common/host';
import { Plotly, plotConfig, themedLayout, type PlotlyHTMLElement } from '../common/plot';
import { followRunLoad } from '../common/run-load';
import { renderInsightsDiff } from './insights-diff';
import { decodeWrites, timelineTraces, type WriteColumns } from '../dashboard/write-timeline';

interface CompareState {
  runIds?: string[];
  pattern?: string;
  xRange?: [number, number];
}

const host = new HostConnection<CompareState>();
const app = document.getElementById('app')!;
let target: Extract<ViewTarget, { view: 'compare' }> | undefined;

followRunLoad(host, app, {
  init: (t) => {
    if (t.view !== 'compare') return false;
    const other = target?.runIds.join() !== t.runIds.join();
    target = t;
    if (host.state?.runIds?.join() !== t.runIds.join())
      host.saveState({ runIds: t.runIds, xRange: undefined });
    return other;
  },
  title,
  render,
});

function title(): string {
  return target ? `Baseline ${target.labels[0]} vs ${target.labels.slice(1).join(', ')}` : 'Comparison';
}

function fmt(v: number | null, unit: MetricRow['unit'], signed = false): string {
  if (v === null) return '—';
  const sign = signed && v > 0 ? '+' : '';
  switch (unit) {
    case 'us':
      return sign + fmtUs(v);
    case 'bytes':
      return sign + fmtBytes(v);
    case 'count':
      return sign + (Number.isInteger(v) ? fmtCount(v) : v.toFixed(2));
    default:
      return String(v);
  }
}

async function render(): Promise<void> {
  const data = await host.request({ kind: 'compare' });
  clear(app);
  const insightsBox = h('section', { 'data-testid': 'rule-diffs', 'aria-live': 'polite' });
  host.request({ kind: 'insightsDiff' }).then(
    (a) => renderInsightsDiff(insightsBox, a),
    (e: Error) => insightsBox.append(h('p', { class: 'banner error', role: 'alert' }, e.message)),
  );
  app.append(
    h('h1', {}, title()),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'vscode-button',
        { secondary: true, onclick: () => host.send({ type: 'copyText', text: data.markdown }) },
        icon('markdown'),
        ' Copy as Markdown',
      ),
      h(
        'vscode-button',
        { secondary: true, onclick: () => host.send({ type: 'copyText', text: data.csv }) },
        icon('table'),
        ' Copy as CSV',
      ),
      ...data.runs.map((r) =>
        h(
          'button',
          {
            class: 'link',
            title: r.folder,
            onclick: () => host.send({ type: 'openDashboard', runId: r.runId }),
          },
          icon('graph'),
          ` ${r.label} dashboard`,
        ),
      ),
    ),
    h('h2', {}, icon('dashboard'), 'Metrics'),
    metricsTable(data),
    h('h2', {}, icon('lightbulb'), 'Insight rules: what changed'),
    insightsBox,
    h('h2', {}, icon('graph-scatter'), 'Write timelines'),
  );
  const timelines = h('div', { class: 'timelines' });
  app.append(timelines);
  const patternsBox = h('section', {});
  const opsBox = h('section', { 'aria-live': 'polite' });
  app.append(h('h2', {}, icon('symbol-file'), 'Per file pattern'), patternsBox, opsBox);
  renderPatterns(patternsBox, opsBox, data);
  await renderTimelines(timelines, data);
}

function metricsTable(data: CompareData): HTMLElement {
  const others = data.runs.slice(1);
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Metric'),
    h('th', { scope: 'col', class: 'num' }, data.runs[0].label, h('span', { class: 'muted' }, ' (baseline)')),
    ...others.flatMap((r) => [
      h('th', { scope: 'col', class: 'num' }, r.label),
      h('th', { scope: 'col', class: 'num' }, 'Δ'),
      h('th', { scope: 'col', class: 'num' }, '×'),
    ]),
  );
  // a tier no run touched is a row of zeros: left out here (Markdown/CSV keep every row for stable columns)
  const idle = (m: MetricRow) => /^posix(Time|Bytes)\./.test(m.key) && m.values.every((v) => v === 0);
  const tierOf = (m: MetricRow) => m.key.split('.').slice(1).join('.');
  const idleTiers = [...new Set(data.metrics.filter(idle).map(tierOf))].filter((t) =>
    data.metrics.filter((m) => tierOf(m) === t && /^posix/.test(m.key)).every(idle),
  );
  const shown = data.metrics.filter((m) => !(/^posix/.test(m.key) && idleTiers.includes(tierOf(m))));
  const rows = shown.map((m) =>
    h(
      'tr',
      { 'data-metric': m.key, tabindex: 0 },
      h(
        'th',
        { scope: 'row' },
        m.label,
        m.approximate ? h('span', { class: 'muted', title: 'estimated from sampled writes' }, ' ≈') : '',
      ),
      h('td', { class: 'num', 'data-run': 0 }, fmt(m.values[0], m.unit)),
      ...others.flatMap((_, k) => {
        const i = k + 1;
        const ratio = m.ratios[i];
        // more time, more calls or more bad lines than the baseline is worse; bytes are neither
        const worse = m.unit !== 'bytes' && ratio !== null && ratio > 1.05;
        const better = m.unit !== 'bytes' && ratio !== null && ratio < 0.95;
        const cls = `num ${worse ? 'worse' : better ? 'better' : ''}`;
        return [
          h('td', { class: 'num', 'data-run': i }, fmt(m.values[i], m.unit)),
          h('td', { class: cls }, fmt(m.deltas[i], m.unit, true)),
          h('td', { class: cls }, ratio === null ? '—' : `${ratio.toFixed(2)}×`),
        ];
      }),
    ),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'grid metrics', 'aria-label': 'Metrics', 'data-testid': 'compare-metrics' },
      h('thead', {}, head),
      h('tbody', {}, ...rows),
    ),
  );
}

function renderPatterns(box: HTMLElement, opsBox: HTMLElement, data: CompareData): void {
  const runs = data.runs;
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Pattern'),
    ...runs.flatMap((r) => [
      h('th', { scope: 'col', class: 'num' }, `${r.label} files`),
      h('th', { scope: 'col', class: 'num' }, 'writes'),
      h('th', { scope: 'col', class: 'num' }, 'bytes'),
      h('th', { scope: 'col', class: 'num' }, 'time'),
    ]),
  );
  const body = h('tbody');
  for (const p of data.patterns) {
    const tr = h(
      'tr',
      {
        tabindex: 0,
        title: 'Enter or click: compare the operations on these files',
        'data-pattern': p.pattern,
      },
      h('td', { class: 'mono' }, p.pattern),
      ...p.values.flatMap((v, i) => {
        const d = p.deltas[i];
        const delta = (x: number, show: (n: number) => string) =>
          i > 0 && x !== 0 ? h('span', { class: 'muted' }, ` (${x > 0 ? '+' : ''}${show(x)})`) : '';
        return [
          h('td', { class: 'num' }, fmtCount(v.files)),
          h('td', { class: 'num' }, fmtCount(v.writeCalls), delta(d.writeCalls, fmtCount)),
          h('td', { class: 'num' }, fmtBytes(v.writeBytes)),
          h('td', { class: 'num' }, fmtUs(v.writeUs), delta(d.writeUs, fmtUs)),
        ];
      }),
    );
    const choose = () => {
      host.saveState({ pattern: p.pattern });
      for (const r of body.querySelectorAll('tr.selected')) r.classList.remove('selected');
      tr.classList.add('selected');
      void showPatternOps(opsBox, data, p.pattern);
    };
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      } else if (e.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
      else if (e.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
    });
    body.append(tr);
  }
  box.append(
    h(
      'p',
      { class: 'muted' },
      'Files grouped by name with digits removed (layer-1-100-3.pt → layer.pt). Select a pattern to compare its operations.',
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', { class: 'grid', 'aria-label': 'Per file pattern' }, h('thead', {}, head), body),
    ),
  );
  const saved = host.state?.pattern;
  if (saved && data.patterns.some((p) => p.pattern === saved)) void showPatternOps(opsBox, data, saved);
}

async function showPatternOps(box: HTMLElement, data: CompareData, pattern: string): Promise<void> {
  const answer: PatternOpsAnswer = await host.request({ kind: 'patternOps', pattern });
  const ops = [...new Set(answer.runs.flatMap((r) => r.map((o) => `${o.cat}\u0000${o.op}`)))];
  const cell = (run: number, key: string) => answer.runs[run].find((o) => `${o.cat}\u0000${o.op}` === key);
  clear(box);
  box.append(
    h('h3', {}, `Operations on ${pattern}`),
    h(
      'table',
      { class: 'grid', 'aria-label': `Operations on ${pattern}`, 'data-testid': 'pattern-ops' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Op'),
          ...data.runs.flatMap((r) => [
            h('th', { scope: 'col', class: 'num' }, `${r.label} calls`),
            h('th', { scope: 'col', class: 'num' }, 'bytes'),
            h('th', { scope: 'col', class: 'num' }, 'time'),
          ]),
        ),
      ),
      h(
        'tbody',
        {},
        ...ops.map((key) =>
          h(
            'tr',
            {},
            h('td', {}, key.split('\u0000')[1]),
            ...data.runs.flatMap((_, i) => {
              const c = cell(i, key);
              return [
                h('td', { class: 'num' }, c ? fmtCount(c.count) : '—'),
                h('td', { class: 'num' }, c && c.bytes ? fmtBytes(c.bytes) : ''),
                h('td', { class: 'num' }, c ? fmtUs(c.durUs) : ''),
              ];
            }),
          ),
        ),
      ),
    ),
  );
}

/** A run's slowest writes under its timeline: Enter or click opens that run's event list on the write. */
function slowList(data: CompareData, run: number): HTMLElement {
  const r = data.runs[run];
  const rows = data.slowestWrites[run].map((w) => {
    const open = () =>
      host.send({
        type: 'openEvents',
        runId: r.runId,
        file: w.file,
        select: { trace: w.trace, line: w.line, offset: w.offset },
      });
    const tr = h(
      'tr',
      { tabindex: 0, 'data-testid': 'compare-slow-write', 'data-run': run, title: w.file },
      h('td', { class: 'num' }, fmtUs(w.relUs)),
      h('td', { class: 'num slow' }, fmtUs(w.dur)),
      h('td', { class: 'num' }, fmtBytes(w.bytes)),
      h('td', {}, h('span', { class: 'tier-badge' }, w.tier)),
      h('td', { class: 'mono file-cell' }, w.file.split('/').pop() ?? w.file),
    );
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      } else if (e.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
      else if (e.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
    });
    return tr;
  });
  return h(
    'details',
    { class: 'slow-writes', open: true },
    h('summary', {}, `Slowest writes of ${r.label}`),
    rows.length
      ? h('table', { class: 'grid', 'aria-label': `Slowest writes of ${r.label}` }, h('tbody', {}, ...rows))
      : h('p', { class: 'muted' }, 'No write calls.'),
  );
}

/** One timeline per run, same y scale, x ranges kept in sync when any of them is zoomed or panned. */
async function renderTimelines(box: HTMLElement, data: CompareData): Promise<void> {
  const answers = await Promise.all(
    data.runs.map((_, run) => host.request({ kind: 'writes', maxPoints: 8000, groupBy: 'tier', run })),
  );
  const writes: WriteColumns[] = answers.map(decodeWrites);
  let maxX = 0;
  let maxY = 0;
  let minY = Infinity;
  for (const w of writes) {
    for (let i = 0; i < w.n; i++) {
      if (w.relS[i] > maxX) maxX = w.relS[i];
      const y = w.dur[i] / 1000;
      if (y > maxY) maxY = y;
      if (y > 0 && y < minY) minY = y;
    }
  }
  const yRange = minY < Infinity ? [Math.log10(minY) - 0.2, Math.log10(maxY) + 0.2] : undefined;
  const plots: PlotlyHTMLElement[] = [];
  let syncing = false;
  const saved = host.state?.xRange;
  for (let run = 0; run < data.runs.length; run++) {
    const r = data.runs[run];
    const plot = h('div', { class: 'plot', 'data-testid': `timeline-${run}`, 'data-run-label': r.label });
    box.append(
      h(
        'div',
        { class: 'timeline-cell' },
        h('h3', {}, r.label, run === 0 ? h('span', { class: 'muted' }, ' (baseline)') : ''),
        plot,
        slowList(data, run),
      ),
    );
    const w = writes[run];
    if (w.n === 0) {
      plot.classList.add('empty');
      plot.append(h('p', { class: 'muted' }, 'No write calls.'));
      continue;
    }
    const el = await Plotly.newPlot(
      plot,
      timelineTraces(w, 'tier', answers[run].slowThresholdUs),
      themedLayout({
        xaxis: { title: { text: 's since this run started' }, range: saved ?? [0, maxX * 1.02] },
        yaxis: { title: { text: 'duration (ms)' }, type: 'log', ...(yRange ? { range: yRange } : {}) },
        margin: { l: 60, r: 10, t: 10, b: 40 },
        showlegend: run === 0,
      }),
      plotConfig,
    );
    el.on('plotly_click', (e) => {
      const i = e.points[0]?.customdata;
      if (typeof i !== 'number') return;
      host.send({
        type: 'openEvents',
        runId: r.runId,
        file: w.file[i],
        select: { trace: w.trace[i], line: w.line[i], offset: w.offset[i] },
      });
    });
    el.on('plotly_relayout', (e) => {
      if (syncing) return;
      const x0 = e['xaxis.range[0]'];
      const x1 = e['xaxis.range[1]'];
      const range =
        typeof x0 === 'number' && typeof x1 === 'number'
          ? [x0, x1]
          : e['xaxis.autorange']
            ? [0, maxX * 1.02]
            : undefined;
      if (!range) return;
      host.saveState({ xRange: range as [number, number] });
      syncing = true;
      void Promise.all(
        plots.filter((p) => p !== el).map((p) => Plotly.relayout(p, { 'xaxis.range': range })),
      ).finally(() => (syncing = false));
    });
    plots.push(el);
  }
  // the grid settles after the plots were drawn: fit each plot to its cell
  for (const p of plots) Plotly.Plots.resize(p);
}
