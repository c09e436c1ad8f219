// The timeline canvas: ruler, bandwidth strip, counter tracks and one lane per thread grouped by host. It draws
// what the host computed for the visible range (a density tile and the events wider than a pixel); while a newer
// tile is on its way, the last one is stretched to the current view, so every pan or zoom frame is one redraw.
import type { TimelineOverview, TimelineTile } from '../../src/protocol';
import { themeColor } from '../common/dom';
import { fmtBytes, fmtDur, pan, ticks, zoom, type ViewRange } from './time-axis';

export const LANE_H = 18;
const HOST_H = 18;
const RULER_H = 22;
const BW_H = 40;
const COUNTER_H = 24;
const MAX_COUNTERS = 4;
export const GUTTER = 170;

export interface Selection {
  t0: number;
  t1: number;
  /** Inclusive lane index range (display order). */
  laneFrom: number;
  laneTo: number;
}

interface Row {
  kind: 'host' | 'lane';
  y: number;
  lane: number;
  host: string;
}

type Rgb = [number, number, number];

function parseColor(c: string): Rgb {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c.trim());
  if (hex) {
    let s = hex[1];
    if (s.length <= 4) s = [...s].map((x) => x + x).join('');
    return [parseInt(s.slice(0, 2), 16), parseInt(s.slice(2, 4), 16), parseInt(s.slice(4, 6), 16)];
  }
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (m) {
    const [r, g, b] = m[1].split(',').map((x) => parseFloat(x));
    return [r, g, b];
  }
  return [128, 128, 128];
}

export interface CanvasCallbacks {
  /** The visible range or lanes changed: a new tile is wanted. */
  onView(): void;
  onSelect(sel: Selection | null): void;
  onEvent(row: number | null): void;
}

export class LanesCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  view: ViewRange;
  scrollY = 0;
  selection: Selection | null = null;
  selectedRow: number | null = null;
  private tile: TimelineTile | null = null;
  /** The tile's density, drawn once at the tile's own resolution and stretched while panning and zooming. */
  private density: HTMLCanvasElement | null = null;
  private densityTop = 0;
  private image: ImageData | null = null;
  private rows: Row[] = [];
  private readonly laneY: number[] = [];
  private contentH = 0;
  private palette: Rgb[] = [];
  private colors = {
    fg: '#ccc',
    muted: '#888',
    grid: '#444',
    bg: '#1e1e1e',
    read: '#3794ff',
    write: '#f14c4c',
    ckpt: '#cca700',
    sel: '#0078d4',
  };
  /** Milliseconds each frame took to draw (the Playwright suite reads them from data-frame-ms). */
  readonly frameMs: number[] = [];
  private drag: { x: number; y: number; mode: 'select' | 'pan'; view: ViewRange; moved: boolean } | null =
    null;
  private pending = false;

  constructor(
    private readonly ov: TimelineOverview,
    private readonly cb: CanvasCallbacks,
    initial?: ViewRange,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'timeline-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute(
      'aria-label',
      'Event timeline. Keys: W/S zoom, A/D pan, arrows scroll, 0 fits the run, Z zooms to the selection, Escape clears the selection.',
    );
    this.ctx = this.canvas.getContext('2d')!;
    this.view = initial ?? { t0: ov.tsMin, t1: Math.max(ov.tsMax, ov.tsMin + 1) };
    this.layout();
    this.readTheme();
    this.bind();
  }

  get counters(): number {
    return Math.min(MAX_COUNTERS, this.ov.counters.length);
  }

  /** Top of the lanes area (below ruler, bandwidth strip and counter tracks). */
  get lanesTop(): number {
    return RULER_H + BW_H + this.counters * COUNTER_H;
  }

  get width(): number {
    return this.canvas.clientWidth;
  }

  /** Pixel columns of the time area (what a tile should have). */
  get columns(): number {
    return Math.max(1, Math.floor(this.width - GUTTER));
  }

  private font = '11px sans-serif';

  readTheme(): void {
    const c = (n: string, f: string) => themeColor(n, f);
    this.font = `11px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
    this.colors = {
      fg: c('--vscode-foreground', '#cccccc'),
      muted: c('--vscode-descriptionForeground', '#999999'),
      grid: c('--vscode-editorWidget-border', '#454545'),
      bg: c('--vscode-editor-background', '#1e1e1e'),
      read: c('--vscode-charts-blue', '#3794ff'),
      write: c('--vscode-charts-red', '#f14c4c'),
      ckpt: c('--vscode-charts-yellow', '#cca700'),
      sel: c('--vscode-focusBorder', '#0078d4'),
    };
    const names = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
    const fall = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
    this.palette = names.map((n, i) => parseColor(c(`--vscode-charts-${n}`, fall[i])));
    this.cssOfCat?.clear();
  }

  private readonly cssOfCat = new Map<number, string>();

  catCss(cat: number): string {
    let v = this.cssOfCat.get(cat);
    if (!v) {
      const [r, g, b] = this.catColor(cat);
      this.cssOfCat.set(cat, (v = `rgb(${r},${g},${b})`));
    }
    return v;
  }

  /** Color of a category id (0 = none): stable per id. */
  catColor(cat: number): Rgb {
    return this.palette[(cat - 1 + this.palette.length) % this.palette.length];
  }

  private layout(): void {
    this.rows = [];
    let y = 0;
    let host: string | null = null;
    this.ov.lanes.forEach((l, k) => {
      if (l.host !== host) {
        host = l.host;
        this.rows.push({ kind: 'host', y, lane: k, host: l.host });
        y += HOST_H;
      }
      this.rows.push({ kind: 'lane', y, lane: k, host: l.host });
      this.laneY[k] = y;
      y += LANE_H;
    });
    this.contentH = y;
  }

  /** Lanes at least partly visible, as an inclusive range. */
  visibleLanes(): [number, number] {
    const h = this.canvas.clientHeight - this.lanesTop;
    const lanes = this.ov.lanes.length;
    if (lanes === 0) return [0, -1];
    let first = 0;
    while (first < lanes - 1 && this.laneY[first] + LANE_H <= this.scrollY) first++;
    let last = first;
    while (last < lanes - 1 && this.laneY[last + 1] < this.scrollY + h) last++;
    return [first, last];
  }

  setTile(tile: TimelineTile): void {
    const started = performance.now();
    this.tile = tile;
    this.drawDensity(tile);
    // a frame that brings a new tile costs its density image too
    this.render(performance.now() - started);
  }

  private drawDensity(tile: TimelineTile): void {
    if (tile.lanes.length === 0) {
      this.density = null;
      return;
    }
    const top = this.laneY[tile.lanes[0]];
    const bottom = this.laneY[tile.lanes[tile.lanes.length - 1]] + LANE_H;
    const w = tile.columns;
    const hgt = Math.max(1, bottom - top);
    const off =
      this.density && this.density.width === w && this.density.height === hgt
        ? this.density
        : document.createElement('canvas');
    off.width = w;
    off.height = hgt;
    const octx = off.getContext('2d')!;
    const img =
      this.image && this.image.width === w && this.image.height === hgt
        ? this.image
        : (this.image = octx.createImageData(w, hgt));
    const px = img.data;
    px.fill(0);
    tile.lanes.forEach((k, li) => {
      const y0 = this.laneY[k] - top;
      for (let c = 0; c < w; c++) {
        const b = tile.busy[li * w + c];
        if (!(b > 0)) continue;
        const [r, g, bl] = this.catColor(tile.dominant[li * w + c]);
        const a = Math.round(60 + 195 * Math.min(1, b));
        for (let y = y0 + 2; y < y0 + LANE_H - 2; y++) {
          const p = (y * w + c) * 4;
          px[p] = r;
          px[p + 1] = g;
          px[p + 2] = bl;
          px[p + 3] = a;
        }
      }
    });
    octx.putImageData(img, 0, 0);
    this.density = off;
    this.densityTop = top;
  }

  x(t: number): number {
    return GUTTER + ((t - this.view.t0) / (this.view.t1 - this.view.t0)) * (this.width - GUTTER);
  }

  t(x: number): number {
    return this.view.t0 + ((x - GUTTER) / (this.width - GUTTER)) * (this.view.t1 - this.view.t0);
  }

  laneAt(y: number): number {
    const cy = y - this.lanesTop + this.scrollY;
    for (let k = 0; k < this.ov.lanes.length; k++)
      if (cy >= this.laneY[k] && cy < this.laneY[k] + LANE_H) return k;
    // between lanes (a host header): the next lane down
    for (let k = 0; k < this.ov.lanes.length; k++) if (this.laneY[k] > cy) return k;
    return this.ov.lanes.length - 1;
  }

  /** Redraws on the next animation frame (several changes in one frame draw once). */
  requestRender(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render(extraMs = 0): void {
    const started = performance.now() - extraMs;
    const dpr = window.devicePixelRatio || 1;
    const W = this.canvas.clientWidth;
    const H = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(W * dpr) || this.canvas.height !== Math.round(H * dpr)) {
      this.canvas.width = Math.round(W * dpr);
      this.canvas.height = Math.round(H * dpr);
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = this.font;
    ctx.textBaseline = 'middle';
    this.drawLanes(W, H);
    this.drawTop(W);
    const ms = performance.now() - started;
    this.frameMs.push(ms);
    if (this.frameMs.length > 400) this.frameMs.splice(0, this.frameMs.length - 400);
    this.canvas.dataset.frameMs = JSON.stringify(
      this.frameMs.slice(-200).map((x) => Math.round(x * 100) / 100),
    );
    this.canvas.dataset.view = `${this.view.t0},${this.view.t1}`;
    this.canvas.dataset.lanesTop = String(this.lanesTop - this.scrollY);
  }

  private drawTop(W: number): void {
    const ctx = this.ctx;
    const tile = this.tile;
    const c = this.colors;
    ctx.fillStyle = c.bg;
    ctx.fillRect(0, 0, W, this.lanesTop);
    // ruler
    for (const tk of ticks(this.view, this.ov.tsMin, Math.max(2, (W - GUTTER) / 110))) {
      const x = this.x(tk.at);
      ctx.fillStyle = c.grid;
      ctx.fillRect(x, RULER_H - 6, 1, 6);
      ctx.fillStyle = c.muted;
      ctx.fillText(tk.label, x + 3, RULER_H / 2);
    }
    // checkpoints on the ruler
    this.ov.checkpoints.forEach((cp, i) => {
      const x0 = Math.max(GUTTER, this.x(cp.ts));
      const x1 = Math.min(W, this.x(cp.ts + cp.dur));
      if (x1 < GUTTER || x0 > W) return;
      ctx.fillStyle = c.ckpt;
      ctx.fillRect(x0, RULER_H - 3, Math.max(1, x1 - x0), 3);
      if (i < 200 && x1 - x0 > 30) {
        ctx.fillStyle = c.ckpt;
        ctx.fillText(`ckpt`, x0 + 2, 6);
      }
    });
    ctx.fillStyle = c.muted;
    ctx.fillText('time since start', 6, RULER_H / 2);
    // bandwidth strip: reads up from the middle line, writes down
    const mid = RULER_H + BW_H / 2;
    ctx.fillStyle = c.muted;
    ctx.fillText('read ↑ / write ↓ B/s', 6, mid);
    if (tile) {
      let peak = 0;
      for (let i = 0; i < tile.columns; i++) peak = Math.max(peak, tile.readBps[i], tile.writeBps[i]);
      if (peak > 0) {
        const scale = (BW_H / 2 - 2) / peak;
        const tx = (i: number) => this.x(tile.t0 + (i / tile.columns) * (tile.t1 - tile.t0));
        const cw = Math.max(1, tx(1) - tx(0));
        for (let i = 0; i < tile.columns; i++) {
          const x = tx(i);
          if (x + cw < GUTTER || x > W) continue;
          const r = tile.readBps[i] * scale;
          const w = tile.writeBps[i] * scale;
          if (r > 0) {
            ctx.fillStyle = c.read;
            ctx.fillRect(x, mid - r, cw, r);
          }
          if (w > 0) {
            ctx.fillStyle = c.write;
            ctx.fillRect(x, mid, cw, w);
          }
        }
        ctx.fillStyle = c.muted;
        ctx.fillText(`peak ${fmtBytes(peak)}/s`, GUTTER - 80, RULER_H + 8);
      }
      // counter tracks: a step line per series, scaled to its own range in view
      for (let s = 0; s < this.counters; s++) {
        const top = RULER_H + BW_H + s * COUNTER_H;
        const v = tile.counters[s];
        ctx.fillStyle = c.muted;
        const info = this.ov.counters[s];
        ctx.fillText(`${info.name} (${info.pid})`.slice(0, 26), 6, top + COUNTER_H / 2);
        if (!v) continue;
        let lo = Infinity;
        let hi = -Infinity;
        for (const x of v) if (!Number.isNaN(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
        if (!(hi >= lo)) continue;
        const span = hi - lo || 1;
        ctx.fillStyle = c.read;
        const tx = (i: number) => this.x(tile.t0 + (i / tile.columns) * (tile.t1 - tile.t0));
        const cw = Math.max(1, tx(1) - tx(0));
        for (let i = 0; i < v.length; i++) {
          if (Number.isNaN(v[i])) continue;
          const hgt = 2 + ((v[i] - lo) / span) * (COUNTER_H - 6);
          ctx.fillRect(tx(i), top + COUNTER_H - 2 - hgt, cw, hgt);
        }
        ctx.fillStyle = c.muted;
        ctx.fillText(String(+hi.toPrecision(4)), GUTTER - 50, top + 7);
      }
    }
    ctx.fillStyle = c.grid;
    ctx.fillRect(0, this.lanesTop - 1, W, 1);
    ctx.fillRect(GUTTER - 1, 0, 1, this.lanesTop);
  }

  private drawLanes(W: number, H: number): void {
    const ctx = this.ctx;
    const c = this.colors;
    const top = this.lanesTop;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, top, W, H - top);
    ctx.clip();
    const oy = top - this.scrollY;
    // checkpoint bands behind everything
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = c.ckpt;
    for (const cp of this.ov.checkpoints) {
      const x0 = Math.max(GUTTER, this.x(cp.ts));
      const x1 = Math.min(W, this.x(cp.ts + cp.dur));
      if (x1 > x0) ctx.fillRect(x0, top, Math.max(1, x1 - x0), H - top);
    }
    ctx.globalAlpha = 1;
    const tile = this.tile;
    if (tile && this.density) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(GUTTER, top, W - GUTTER, H - top);
      ctx.clip();
      ctx.imageSmoothingEnabled = false;
      // only the tile's columns that are in view: stretching a whole tile far past the edges is slow in software
      const cols = tile.columns;
      const colUs = (tile.t1 - tile.t0) / cols;
      const c0 = Math.max(0, Math.floor((this.view.t0 - tile.t0) / colUs));
      const c1 = Math.min(cols, Math.ceil((this.view.t1 - tile.t0) / colUs));
      if (c1 > c0) {
        const x0 = this.x(tile.t0 + c0 * colUs);
        const x1 = this.x(tile.t0 + c1 * colUs);
        ctx.drawImage(
          this.density,
          c0,
          0,
          c1 - c0,
          this.density.height,
          x0,
          oy + this.densityTop,
          x1 - x0,
          this.density.height,
        );
      }
      // single events wider than a pixel, nested ones drawn thinner on top; one fill color per category
      const span = this.view.t1 - this.view.t0;
      const pxPerUs = (W - GUTTER) / span;
      const byCat = new Map<number, number[]>();
      for (let i = 0; i < tile.evRow.length; i++) {
        if (tile.evDur[i] * pxPerUs < 1) continue;
        const x = this.x(tile.evTs[i]);
        if (x > W || x + tile.evDur[i] * pxPerUs < GUTTER) continue;
        let list = byCat.get(tile.evCat[i]);
        if (!list) byCat.set(tile.evCat[i], (list = []));
        list.push(i);
      }
      let selected = -1;
      for (const [cat, list] of byCat) {
        ctx.fillStyle = this.catCss(cat);
        for (const i of list) {
          const w = tile.evDur[i] * pxPerUs;
          const x = this.x(tile.evTs[i]);
          const d = Math.min(3, tile.evDepth[i]);
          ctx.fillRect(
            x,
            oy + this.laneY[tile.lanes[tile.evLane[i]]] + 1 + d * 3,
            Math.max(1, w - (w > 4 ? 1 : 0)),
            LANE_H - 2 - d * 3,
          );
          if (tile.evRow[i] === this.selectedRow) selected = i;
        }
      }
      if (selected >= 0) {
        const i = selected;
        const d = Math.min(3, tile.evDepth[i]);
        ctx.strokeStyle = c.fg;
        ctx.lineWidth = 2;
        ctx.strokeRect(
          this.x(tile.evTs[i]),
          oy + this.laneY[tile.lanes[tile.evLane[i]]] + 1 + d * 3,
          Math.max(2, tile.evDur[i] * pxPerUs),
          LANE_H - 2 - d * 3,
        );
      }
      ctx.restore();
    }
    // labels and separators
    ctx.fillStyle = c.bg;
    ctx.fillRect(0, top, GUTTER - 1, H - top);
    for (const row of this.rows) {
      const y = oy + row.y;
      if (y + LANE_H < top || y > H) continue;
      if (row.kind === 'host') {
        ctx.fillStyle = c.fg;
        ctx.fillText(row.host || '(unknown host)', 6, y + HOST_H / 2);
        ctx.fillStyle = c.grid;
        ctx.fillRect(0, y, W, 1);
        continue;
      }
      const l = this.ov.lanes[row.lane];
      const main = l.tid === l.pid || this.ov.lanes[row.lane - 1]?.pid !== l.pid;
      ctx.fillStyle = main ? c.fg : c.muted;
      const label = main
        ? `${l.rank !== null ? `rank ${l.rank} · ` : ''}pid ${l.pid}${l.tid !== l.pid ? ` · tid ${l.tid}` : ''}`
        : `   tid ${l.tid}`;
      ctx.fillText(label.slice(0, 30), 10, y + LANE_H / 2);
    }
    ctx.fillStyle = c.grid;
    ctx.fillRect(GUTTER - 1, top, 1, H - top);
    // selection
    const sel = this.selection;
    if (sel) {
      const x0 = this.x(sel.t0);
      const x1 = this.x(sel.t1);
      const y0 = oy + this.laneY[sel.laneFrom];
      const y1 = oy + this.laneY[sel.laneTo] + LANE_H;
      ctx.globalAlpha = 0.15;
      ctx.fillStyle = c.sel;
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = c.sel;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0);
    }
    ctx.restore();
  }

  fit(): void {
    this.setView({ t0: this.ov.tsMin, t1: Math.max(this.ov.tsMax, this.ov.tsMin + 1) });
  }

  setView(v: ViewRange): void {
    this.view = v;
    this.render();
    this.cb.onView();
  }

  zoomBy(factor: number, at = (this.view.t0 + this.view.t1) / 2): void {
    this.setView(zoom(this.view, factor, at, this.ov.tsMin, Math.max(this.ov.tsMax, this.ov.tsMin + 1)));
  }

  panBy(fraction: number): void {
    this.setView(
      pan(
        this.view,
        fraction * (this.view.t1 - this.view.t0),
        this.ov.tsMin,
        Math.max(this.ov.tsMax, this.ov.tsMin + 1),
      ),
    );
  }

  scrollBy(dy: number): void {
    const max = Math.max(0, this.contentH - (this.canvas.clientHeight - this.lanesTop));
    const next = Math.max(0, Math.min(max, this.scrollY + dy));
    if (next === this.scrollY) return;
    this.scrollY = next;
    this.render();
    this.cb.onView();
  }

  /** The single event under a point, if the current tile drew one there (the innermost wins). */
  hit(x: number, y: number): number | null {
    const tile = this.tile;
    if (!tile || x < GUTTER || y < this.lanesTop) return null;
    const k = this.laneAt(y);
    const oy = this.lanesTop - this.scrollY;
    let best: number | null = null;
    let bestDepth = -1;
    const slack = (this.view.t1 - this.view.t0) / (this.width - GUTTER); // one pixel
    const t = this.t(x);
    for (let i = 0; i < tile.evRow.length; i++) {
      if (tile.lanes[tile.evLane[i]] !== k) continue;
      if (t < tile.evTs[i] - slack || t > tile.evTs[i] + tile.evDur[i] + slack) continue;
      const d = Math.min(3, tile.evDepth[i]);
      const yTop = oy + this.laneY[k] + 1 + d * 3;
      if (y < yTop) continue;
      if (tile.evDepth[i] > bestDepth) {
        bestDepth = tile.evDepth[i];
        best = tile.evRow[i];
      }
    }
    return best;
  }

  private bind(): void {
    const el = this.canvas;
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = el.getBoundingClientRect();
        const x = e.clientX - rect.left;
        if (e.ctrlKey || e.metaKey) this.zoomBy(Math.exp(e.deltaY * 0.002), this.t(Math.max(GUTTER, x)));
        else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY))
          this.panBy((e.shiftKey ? e.deltaY : e.deltaX) / Math.max(1, this.width - GUTTER));
        else this.scrollBy(e.deltaY);
      },
      { passive: false },
    );
    el.addEventListener('mousedown', (e) => {
      el.focus();
      const rect = el.getBoundingClientRect();
      const x = e.clientX - rect.left;
      const y = e.clientY - rect.top;
      if (x < GUTTER) return;
      const mode = y < this.lanesTop || e.button === 1 || e.altKey ? 'pan' : 'select';
      this.drag = { x, y, mode, view: { ...this.view }, moved: false };
    });
    window.addEventListener('mousemove', (e) => {
      const d = this.drag;
      if (!d) return;
      const rect = el.getBoundingClientRect();
      const x = Math.max(GUTTER, Math.min(this.width, e.clientX - rect.left));
      const y = e.clientY - rect.top;
      if (Math.abs(x - d.x) + Math.abs(y - d.y) > 3) d.moved = true;
      if (!d.moved) return;
      if (d.mode === 'pan') {
        const dt = ((d.x - x) / (this.width - GUTTER)) * (d.view.t1 - d.view.t0);
        this.view = pan(d.view, dt, this.ov.tsMin, Math.max(this.ov.tsMax, this.ov.tsMin + 1));
        this.requestRender();
        this.cb.onView();
        return;
      }
      const a = this.t(d.x);
      const b = this.t(x);
      const la = this.laneAt(d.y);
      const lb = this.laneAt(Math.max(this.lanesTop, y));
      this.selection = {
        t0: Math.min(a, b),
        t1: Math.max(a, b),
        laneFrom: Math.min(la, lb),
        laneTo: Math.max(la, lb),
      };
      this.requestRender();
    });
    window.addEventListener('mouseup', (e) => {
      const d = this.drag;
      this.drag = null;
      if (!d) return;
      if (d.moved) {
        if (d.mode === 'select') this.cb.onSelect(this.selection);
        return;
      }
      const rect = el.getBoundingClientRect();
      const row = this.hit(e.clientX - rect.left, e.clientY - rect.top);
      this.selectedRow = row;
      this.render();
      this.cb.onEvent(row);
    });
    el.addEventListener('keydown', (e) => {
      const k = e.key.toLowerCase();
      if (k === 'w' || k === '+' || k === '=') this.zoomBy(0.8);
      else if (k === 's' || k === '-') this.zoomBy(1.25);
      else if (k === 'a' || e.key === 'ArrowLeft') this.panBy(-0.1);
      else if (k === 'd' || e.key === 'ArrowRight') this.panBy(0.1);
      else if (e.key === 'ArrowUp') this.scrollBy(-LANE_H * 3);
      else if (e.key === 'ArrowDown') this.scrollBy(LANE_H * 3);
      else if (k === '0' || e.key === 'Home') this.fit();
      else if (k === 'z' && this.selection && this.selection.t1 > this.selection.t0)
        this.setView({ t0: this.selection.t0, t1: this.selection.t1 });
      else if (e.key === 'Escape') {
        this.selection = null;
        this.render();
        this.cb.onSelect(null);
      } else return;
      e.preventDefault();
    });
  }

  /** Tooltip text for a point: the lane, the time, and what the density says there. */
  describe(x: number, y: number): string {
    if (x < GUTTER || y < this.lanesTop || !this.tile) return '';
    const k = this.laneAt(y);
    const l = this.ov.lanes[k];
    const tile = this.tile;
    const li = tile.lanes.indexOf(k);
    const t = this.t(x);
    const col = Math.floor(((t - tile.t0) / (tile.t1 - tile.t0)) * tile.columns);
    let what = '';
    if (li >= 0 && col >= 0 && col < tile.columns) {
      const b = tile.busy[li * tile.columns + col];
      const cat = this.ov.categories[tile.dominant[li * tile.columns + col]];
      what = b > 0 ? ` · busy ${(b * 100).toFixed(0)}%, mostly ${cat}` : ' · idle';
    }
    return `${l.host} pid ${l.pid} tid ${l.tid} · ${fmtDur(t - this.ov.tsMin)}${what}`;
  }
}
