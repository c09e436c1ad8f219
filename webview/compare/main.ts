// Baseline versus other runs: the metrics table users used to build by hand, per-file-pattern figures, and the
// runs' write timelines side by side with zoom and pan kept in sync. Every write opens in its own run's event list.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import './compare.css';
import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import type { CompareData, MetricRow, PatternOpsAnswer, ViewTarget } from '../../src/protocol';
import { clear, h, icon } from '../common/dom';
import { HostConnection } from '../common/host';
import type { ScatterChart } from '../charts/api';
import { loadCharts, whenVisible } from '../common/charts';
import { onThemeChange, tierBadge } from '../common/palette';
import { followRunLoad } from '../common/run-load';
import { systemNote } from '../common/system-note';
import {
  decodeWrites,
  timelineLegend,
  timelineSeries,
  timelineSpec,
  type WriteColumns,
} from '../dashboard/write-timeline';
import { renderInsightsDiff } from './insights-diff';

interface CompareState {
  runIds?: string[];
  pattern?: string;
  xRange?: [number, number];
  showSystem?: boolean;
}

const host = new HostConnection<CompareState>();
const app = document.getElementById('app')!;
let target: Extract<ViewTarget, { view: 'compare' }> | undefined;
let stopTheme: (() => void) | undefined;

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
  const data = await host.request({ kind: 'compare', showSystem: host.state?.showSystem });
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
  if (data.systemFilter) {
    const hidden = data.systemHidden ?? [];
    const files = hidden.reduce((s, x) => s + x.files, 0);
    const note = systemNote(
      files,
      hidden.reduce((s, x) => s + x.durUs, 0),
      !host.state?.showSystem,
      () => {
        host.saveState({ showSystem: !host.state?.showSystem });
        void render();
      },
    );
    // shown: the request did not hide them, so no count came back; say how to hide them again
    if (note) box.append(note);
    else if (host.state?.showSystem)
      box.append(
        h(
          'p',
          { class: 'muted', 'data-testid': 'system-note' },
          'System files are shown. ',
          h(
            'button',
            {
              class: 'link',
              'data-testid': 'system-toggle',
              onclick: () => {
                host.saveState({ showSystem: false });
                void render();
              },
            },
            'Hide them',
          ),
        ),
      );
  }
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
      h('td', {}, tierBadge(w.tier)),
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
  // one y scale for all runs, with room for the largest markers at the top
  let minY = Infinity;
  let maxY = 0;
  for (const w of writes)
    for (let i = 0; i < w.n; i++) {
      const y = Math.max(w.dur[i], 0.001) / 1000;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  const yRange: [number, number] | undefined = minY < Infinity ? [minY / 2.5, maxY * 2.5] : undefined;
  const cells = data.runs.map((r, run) => {
    const plot = h('div', { class: 'plot', 'data-testid': `timeline-${run}`, 'data-run-label': r.label });
    const legendBox = h('div', { 'data-testid': `legend-${run}` });
    box.append(
      h(
        'div',
        { class: 'timeline-cell' },
        h('h3', {}, r.label, run === 0 ? h('span', { class: 'muted' }, ' (baseline)') : ''),
        plot,
        legendBox,
        slowList(data, run),
      ),
    );
    return { plot, legendBox };
  });
  const charts: (ScatterChart | undefined)[] = [];
  const draw = async () => {
    await whenVisible(box);
    const api = await loadCharts();
    for (const c of charts) c?.destroy();
    charts.length = 0;
    for (let run = 0; run < data.runs.length; run++) {
      const { plot, legendBox } = cells[run];
      const w = writes[run];
      const r = data.runs[run];
      clear(plot);
      clear(legendBox);
      if (w.n === 0) {
        plot.classList.add('empty');
        plot.append(h('p', { class: 'muted' }, 'No write calls.'));
        charts.push(undefined);
        continue;
      }
      const series = timelineSeries(w, 'tier', []);
      const chart = api.scatter(
        plot,
        timelineSpec(w, series, answers[run].slowThresholdUs, {
          height: 300,
          xLabel: 's since this run started',
          xRange: host.state?.xRange,
          yRange,
          onClick: (i) =>
            host.send({
              type: 'openEvents',
              runId: r.runId,
              file: w.file[i],
              select: { trace: w.trace[i], line: w.line[i], offset: w.offset[i] },
            }),
          onXRange: (range) => {
            host.saveState({ xRange: range });
            for (const other of charts) if (other && other !== chart) other.setXRange(range);
          },
        }),
      );
      charts.push(chart);
      legendBox.append(
        timelineLegend(w, series, answers[run].slowThresholdUs, (i, visible) =>
          chart.setGroupVisible(i, visible),
        ),
      );
    }
  };
  await draw();
  stopTheme?.();
  stopTheme = onThemeChange(() => void draw());
}
