import { tableFromIPC } from 'apache-arrow';
import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import type { EventRef, WritesAnswer } from '../../src/protocol';
import { clear, h } from '../common/dom';
import {
  Plotly,
  palette,
  plotConfig,
  slowColor,
  themedLayout,
  type Data,
  type PlotlyHTMLElement,
} from '../common/plot';

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
    return Array.from({ length: t.numRows }, (_, i) => String(col.get(i) ?? ''));
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

/**
 * Scatter traces for a write timeline: x = seconds since the run started, y = duration, marker area ~ bytes,
 * one series per tier (or per file when there are few), slow writes ringed in the theme's red. `customdata`
 * holds the row index so a click finds the write again.
 */
export function timelineTraces(w: WriteColumns, groupBy: 'tier' | 'file', slowUs: number): Data[] {
  const keyOf = groupBy === 'tier' ? w.tier : w.file;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < w.n; i++) {
    let g = groups.get(keyOf[i]);
    if (!g) groups.set(keyOf[i], (g = []));
    g.push(i);
  }
  let maxBytes = 1;
  for (let i = 0; i < w.n; i++) if (w.bytes[i] > maxBytes) maxBytes = w.bytes[i];
  const size = (b: number) => 4 + 14 * Math.sqrt(b / maxBytes);
  const colors = palette();
  const ordered = [...groups].sort((a, b) => b[1].length - a[1].length);
  const hover = (i: number) =>
    `${w.file[i]}<br>t+${w.relS[i].toFixed(3)} s · ${fmtUs(w.dur[i])} · ${fmtBytes(w.bytes[i])}<br>pid ${w.pid[i]} tid ${w.tid[i]}`;
  const traces: Data[] = ordered.map(([name, rows], k) => ({
    type: 'scatter',
    mode: 'markers',
    name: name || '(no file)',
    x: rows.map((i) => w.relS[i]),
    y: rows.map((i) => w.dur[i] / 1000),
    customdata: rows,
    text: rows.map(hover),
    hovertemplate: '%{text}<extra></extra>',
    marker: { color: colors[k % colors.length], size: rows.map((i) => size(w.bytes[i])), opacity: 0.75 },
  }));
  const slow: number[] = [];
  for (let i = 0; i < w.n; i++) if (w.dur[i] >= slowUs) slow.push(i);
  if (slow.length) {
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name: `slow (${slow.length})`,
      x: slow.map((i) => w.relS[i]),
      y: slow.map((i) => w.dur[i] / 1000),
      customdata: slow,
      text: slow.map(hover),
      hovertemplate: '<b>slow write</b><br>%{text}<extra></extra>',
      marker: {
        color: 'rgba(0,0,0,0)',
        size: slow.map((i) => size(w.bytes[i]) + 6),
        line: { color: slowColor(), width: 2 },
      },
    });
  }
  return traces;
}

interface Options {
  groupBy: 'tier' | 'file';
  xRange?: [number, number];
  fetch(groupBy: 'tier' | 'file'): Promise<WritesAnswer>;
  onState(s: { groupBy?: 'tier' | 'file'; xRange?: [number, number] }): void;
  open(file: string, ref: EventRef): void;
  slowLabel: string;
}

/** The run's writes over time; zoom and pan with the mouse, click a write to open it in the event list. */
export class WriteTimeline {
  private readonly plot = h('div', { class: 'plot timeline', 'data-testid': 'write-timeline' });
  private readonly note = h('span', { class: 'muted' });
  private writes: WriteColumns | undefined;
  private answer: WritesAnswer | undefined;
  private groupBy: 'tier' | 'file';
  private el: PlotlyHTMLElement | undefined;

  constructor(
    box: HTMLElement,
    private readonly opts: Options,
  ) {
    this.groupBy = opts.groupBy;
    const group = h(
      'vscode-single-select',
      { 'aria-label': 'Color writes by' },
      h('vscode-option', { value: 'tier', selected: this.groupBy === 'tier' }, 'Color by storage tier'),
      h('vscode-option', { value: 'file', selected: this.groupBy === 'file' }, 'Color by file'),
    ) as HTMLElement & { value: string };
    group.addEventListener('change', () => {
      this.groupBy = group.value === 'file' ? 'file' : 'tier';
      this.opts.onState({ groupBy: this.groupBy });
      this.draw();
    });
    box.append(h('div', { class: 'toolbar' }, group, this.note), this.plot);
  }

  async load(): Promise<void> {
    this.answer = await this.opts.fetch(this.groupBy);
    this.writes = decodeWrites(this.answer);
    this.draw();
  }

  dispose(): void {
    Plotly.purge(this.plot);
  }

  /** Opens the write behind a plotted point (exposed for keyboard users through the slowest list). */
  openRow(i: number): void {
    const w = this.writes;
    if (!w) return;
    this.opts.open(w.file[i], { trace: w.trace[i], line: w.line[i], offset: w.offset[i] });
  }

  private draw(): void {
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
      `${fmtCount(a.shown)} of ${fmtCount(a.total)} writes` +
      (a.shown < a.total ? ' (an even sample plus every slow write)' : '') +
      ` · marker size ∝ bytes · ringed: slow (${this.opts.slowLabel})`;
    const layout = themedLayout({
      xaxis: {
        title: { text: 'seconds since the run started' },
        ...(this.opts.xRange ? { range: this.opts.xRange } : {}),
      },
      yaxis: { title: { text: 'duration (ms)' }, type: 'log' },
      margin: { l: 60, r: 10, t: 10, b: 40 },
      dragmode: 'zoom',
      showlegend: true,
    });
    void Plotly.react(this.plot, timelineTraces(w, this.groupBy, a.slowThresholdUs), layout, plotConfig).then(
      (el) => {
        if (this.el === el) return;
        this.el = el;
        el.on('plotly_click', (e) => {
          const row = e.points[0]?.customdata;
          if (typeof row === 'number') this.openRow(row);
        });
        el.on('plotly_relayout', (e) => {
          const x0 = e['xaxis.range[0]'];
          const x1 = e['xaxis.range[1]'];
          if (typeof x0 === 'number' && typeof x1 === 'number') this.opts.onState({ xRange: [x0, x1] });
          else if (e['xaxis.autorange']) this.opts.onState({ xRange: undefined });
        });
      },
    );
  }
}
