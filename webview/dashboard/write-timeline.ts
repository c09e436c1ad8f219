import { tableFromIPC } from 'apache-arrow';
import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import type { EventRef, WritesAnswer } from '../../src/protocol';
import type { ScatterChart, ScatterSpec } from '../charts/api';
import { loadCharts, whenVisible } from '../common/charts';
import { clear, h } from '../common/dom';
import { legend } from '../common/legend';
import { chartTheme, cssColor, onThemeChange, resolveColor, slowColor } from '../common/palette';
import { OP_COLORS, tierColorId } from '../../src/views/tier-palette';

/** The columns of a writes answer, decoded once. */
export interface WriteColumns {
  n: number;
  relS: Float64Array;
  dur: Float64Array;
  bytes: Float64Array;
  file: string[];
  tier: string[];
  trace: Int32Array;
  line: Float64Array;
  offset: Float64Array;
  pid: Float64Array;
  tid: Float64Array;
}

export function decodeWrites(answer: WritesAnswer): WriteColumns {
  const t = tableFromIPC(answer.table);
  const f64 = (name: string) => t.getChild(name)!.toArray() as Float64Array;
  const strings = (name: string) => {
    const col = t.getChild(name)!;
    // the iterator walks the chunks once; get(i) searches for the chunk on every call
    return Array.from(col, (v) => String(v ?? ''));
  };
  return {
    n: t.numRows,
    relS: f64('relS'),
    dur: f64('dur'),
    bytes: f64('bytes'),
    file: strings('file'),
    tier: strings('tier'),
    trace: t.getChild('trace')!.toArray() as Int32Array,
    line: f64('line'),
    offset: f64('offset'),
    pid: f64('pid'),
    tid: f64('tid'),
  };
}

/** Writes grouped into series: by tier (colour from the shared tier palette) or by file (the heaviest first). */
export interface TimelineSeries {
  label: string;
  /** Theme colour id. */
  colorId: string;
  rows: number[];
}

const MAX_FILE_SERIES = OP_COLORS.length;

export function timelineSeries(
  w: WriteColumns,
  groupBy: 'tier' | 'file',
  tierOrder: string[],
): TimelineSeries[] {
  const keyOf = groupBy === 'tier' ? w.tier : w.file;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < w.n; i++) {
    let g = groups.get(keyOf[i]);
    if (!g) groups.set(keyOf[i], (g = []));
    g.push(i);
  }
  const ordered = [...groups].sort((a, b) => b[1].length - a[1].length);
  if (groupBy === 'tier')
    return ordered.map(([tier, rows]) => ({ label: tier, colorId: tierColorId(tier, tierOrder), rows }));
  // colours must stay distinct: past the palette, the lightest files share one "other files" series
  const head = ordered.slice(0, MAX_FILE_SERIES - 1);
  const rest = ordered.slice(MAX_FILE_SERIES - 1).flatMap(([, rows]) => rows);
  const series = head.map(([file, rows], k) => ({ label: file || '(no file)', colorId: OP_COLORS[k], rows }));
  if (rest.length)
    series.push({
      label: `${fmtCount(ordered.length - head.length)} other files`,
      colorId: 'charts.foreground',
      rows: rest,
    });
  return series;
}

/** The chart spec of a write timeline: x = seconds since the run started, y = duration (ms, log), area ~ bytes. */
export function timelineSpec(
  w: WriteColumns,
  series: TimelineSeries[],
  slowUs: number,
  more: Pick<ScatterSpec, 'height' | 'xLabel' | 'onClick' | 'onXRange' | 'xRange' | 'yRange'>,
): ScatterSpec {
  let maxBytes = 1;
  for (let i = 0; i < w.n; i++) if (w.bytes[i] > maxBytes) maxBytes = w.bytes[i];
  const radius = new Float64Array(w.n);
  const y = new Float64Array(w.n);
  for (let i = 0; i < w.n; i++) {
    radius[i] = 2 + 7 * Math.sqrt(w.bytes[i] / maxBytes);
    // a log axis has no 0: a write faster than a nanosecond is drawn at one
    y[i] = Math.max(w.dur[i], 0.001) / 1000;
  }
  const slow: number[] = [];
  for (let i = 0; i < w.n; i++) if (w.dur[i] > slowUs) slow.push(i);
  return {
    x: w.relS,
    y,
    radius,
    groups: series.map((s) => ({ label: s.label, color: resolveColor(s.colorId), rows: s.rows })),
    rings: slow.length ? { rows: slow, color: slowColor() } : undefined,
    yLabel: 'duration (ms)',
    theme: chartTheme(),
    describe: (i) =>
      `${w.file[i] || '(no file)'}\nt+${w.relS[i].toFixed(3)} s · ${fmtUs(w.dur[i])} · ${fmtBytes(w.bytes[i])}` +
      `\npid ${w.pid[i]} tid ${w.tid[i]} · ${w.tier[i]}${w.dur[i] > slowUs ? ' · slow' : ''}`,
    ...more,
  };
}

/** The legend under a timeline: one entry per series (click hides/shows it), plus the slow-write ring. */
export function timelineLegend(
  w: WriteColumns,
  series: TimelineSeries[],
  slowUs: number,
  toggle: (i: number, visible: boolean) => void,
): HTMLElement {
  let slow = 0;
  for (let i = 0; i < w.n; i++) if (w.dur[i] > slowUs) slow++;
  const el = legend(
    series.map((s) => ({ label: s.label, color: cssColor(s.colorId), count: fmtCount(s.rows.length) })),
    toggle,
  );
  if (slow)
    el.append(
      ...legend([{ label: 'slow', color: cssColor('charts.red'), count: fmtCount(slow), ring: true }])
        .children,
    );
  return el;
}

interface Options {
  groupBy: 'tier' | 'file';
  xRange?: [number, number];
  tierOrder: string[];
  fetch(groupBy: 'tier' | 'file'): Promise<WritesAnswer>;
  onState(s: { groupBy?: 'tier' | 'file'; xRange?: [number, number] }): void;
  open(file: string, ref: EventRef): void;
  slowLabel: string;
}

/** The run's writes over time; zoom and pan with the mouse or keys, click a write to open it in the event list. */
export class WriteTimeline {
  private readonly plot = h('div', { class: 'plot timeline', 'data-testid': 'write-timeline' });
  private readonly legendBox = h('div', {});
  private readonly note = h('span', { class: 'muted' });
  private writes: WriteColumns | undefined;
  private answer: WritesAnswer | undefined;
  private groupBy: 'tier' | 'file';
  private xRange: [number, number] | undefined;
  private chart: ScatterChart | undefined;
  private readonly stopTheme: () => void;

  constructor(
    box: HTMLElement,
    private readonly opts: Options,
  ) {
    this.groupBy = opts.groupBy;
    this.xRange = opts.xRange;
    const group = h(
      'select',
      { 'aria-label': 'Color writes by', class: 'select' },
      h('option', { value: 'tier', selected: this.groupBy === 'tier' }, 'Color by storage tier'),
      h('option', { value: 'file', selected: this.groupBy === 'file' }, 'Color by file'),
    ) as HTMLElement & { value: string };
    group.addEventListener('change', () => {
      this.groupBy = group.value === 'file' ? 'file' : 'tier';
      this.opts.onState({ groupBy: this.groupBy });
      void this.draw();
    });
    const reset = h(
      'button',
      { class: 'link', title: 'Show all writes (double-click or 0 on the chart)' },
      'Reset zoom',
    );
    reset.addEventListener('click', () => this.chart?.setXRange((this.xRange = undefined)));
    box.append(h('div', { class: 'toolbar' }, group, reset, this.note), this.plot, this.legendBox);
    this.stopTheme = onThemeChange(() => void this.draw());
  }

  async load(): Promise<void> {
    this.answer = await this.opts.fetch(this.groupBy);
    this.writes = decodeWrites(this.answer);
    await this.draw();
  }

  dispose(): void {
    this.stopTheme();
    this.chart?.destroy();
    this.chart = undefined;
  }

  openRow(i: number): void {
    const w = this.writes;
    if (!w) return;
    this.opts.open(w.file[i], { trace: w.trace[i], line: w.line[i], offset: w.offset[i] });
  }

  private async draw(): Promise<void> {
    const w = this.writes;
    const a = this.answer;
    if (!w || !a) return;
    if (w.n === 0) {
      clear(this.plot);
      this.plot.classList.add('empty');
      this.plot.append(h('p', { class: 'muted' }, 'This run has no write calls.'));
      return;
    }
    this.note.textContent =
      `${fmtCount(a.shown)} of ${fmtCount(a.total)} write${a.total === 1 ? '' : 's'}` +
      (a.shown < a.total ? ' (an even sample plus every slow write)' : '') +
      ` · marker area ∝ bytes · ringed: slow (${this.opts.slowLabel}) · drag to zoom, Shift+drag to pan`;
    await whenVisible(this.plot);
    const charts = await loadCharts();
    this.chart?.destroy();
    clear(this.plot);
    const series = timelineSeries(w, this.groupBy, this.opts.tierOrder);
    this.chart = charts.scatter(
      this.plot,
      timelineSpec(w, series, a.slowThresholdUs, {
        height: 360,
        xLabel: 'seconds since the run started',
        xRange: this.xRange,
        onClick: (row) => this.openRow(row),
        onXRange: (r) => {
          this.xRange = r;
          this.opts.onState({ xRange: r });
        },
      }),
    );
    clear(this.legendBox);
    this.legendBox.append(
      timelineLegend(w, series, a.slowThresholdUs, (i, visible) => this.chart?.setGroupVisible(i, visible)),
    );
  }
}
