import uPlot from 'uplot';
import type { ScatterChart, ScatterSpec } from './api';

const HIT_PX = 12;

/**
 * A scatter plot on a canvas: log y axis, marker radius per point, one colour per group, optional rings. Drag
 * selects an x range to zoom into, Shift+drag or the wheel pans and zooms, double-click resets; keyboard: arrows
 * pan, + and - zoom, 0 resets. A click on a point calls onClick with its row. Nothing here writes markup or an
 * inline style attribute: text goes through textContent, positions through the CSSOM (allowed by the CSP).
 */
export function scatter(box: HTMLElement, spec: ScatterSpec): ScatterChart {
  const wrap = document.createElement('div');
  wrap.className = 'dft-chart';
  wrap.tabIndex = 0;
  // the colours it was drawn with: a theme switch must redraw it (the UI tests read these)
  wrap.dataset.fg = spec.theme.fg;
  wrap.dataset.groups = spec.groups.map((g) => `${g.label}=${g.color}`).join('|');
  wrap.setAttribute('role', 'img');
  wrap.setAttribute(
    'aria-label',
    `${spec.yLabel} over ${spec.xLabel}. Arrows pan, plus and minus zoom, 0 resets.`,
  );
  const tip = document.createElement('div');
  tip.className = 'dft-tip';
  tip.hidden = true;
  box.append(wrap);

  const facets = spec.groups.map((g) => facet(spec, g.rows));
  const ringFacet = spec.rings ? facet(spec, spec.rings.rows) : undefined;
  const full = xExtent(spec);
  const yr = spec.yRange ?? yExtent(spec);
  const dpr = () => uPlot.pxRatio;
  let reporting = true;

  const drawGroup = (gi: number) => (u: uPlot) => {
    const rows = spec.groups[gi].rows;
    const ctx = u.ctx;
    ctx.save();
    clip(u);
    ctx.globalAlpha = 0.72;
    ctx.fillStyle = spec.groups[gi].color;
    ctx.beginPath();
    for (const i of rows) {
      const x = u.valToPos(spec.x[i], 'x', true);
      const y = u.valToPos(spec.y[i], 'y', true);
      const r = spec.radius[i] * dpr();
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.restore();
    return null;
  };
  const drawRings = (u: uPlot) => {
    if (!spec.rings) return null;
    const ctx = u.ctx;
    ctx.save();
    clip(u);
    ctx.strokeStyle = spec.rings.color;
    ctx.lineWidth = 2 * dpr();
    ctx.beginPath();
    for (const i of spec.rings.rows) {
      const x = u.valToPos(spec.x[i], 'x', true);
      const y = u.valToPos(spec.y[i], 'y', true);
      const r = (spec.radius[i] + 3) * dpr();
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.stroke();
    ctx.restore();
    return null;
  };

  const axis = (label: string): uPlot.Axis => ({
    label,
    values: (_u, splits) => tickLabels(splits),
    stroke: spec.theme.fg,
    font: `11px ${spec.theme.font}`,
    labelFont: `11px ${spec.theme.font}`,
    grid: { stroke: spec.theme.grid, width: 1 },
    ticks: { stroke: spec.theme.grid, width: 1 },
  });
  let downAt: { x: number; y: number } | undefined;
  let pan: { x: number; min: number; max: number } | undefined;
  const opts: uPlot.Options = {
    mode: 2,
    width: Math.max(200, box.clientWidth || 600),
    height: spec.height,
    legend: { show: false },
    cursor: {
      drag: { x: true, y: false, setScale: true },
      points: { show: false },
      x: false,
      y: false,
      dataIdx: () => null as unknown as number,
      bind: {
        mousedown: (_u, _t, handler) => (e: MouseEvent) => {
          downAt = { x: e.clientX, y: e.clientY };
          if (e.shiftKey) {
            const s = u.scales.x;
            pan = { x: e.clientX, min: s.min ?? full[0], max: s.max ?? full[1] };
            wrap.classList.add('panning');
            return null;
          }
          return handler(e);
        },
        dblclick: () => () => {
          setX(undefined);
          return null;
        },
      },
    },
    scales: {
      x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) },
      y: { distr: 3, range: () => yr },
    },
    axes: [axis(spec.xLabel), { ...axis(spec.yLabel), size: 60 }],
    series: [
      {},
      ...spec.groups.map((g, gi) => ({
        label: g.label,
        stroke: g.color,
        fill: g.color,
        facets: [
          { scale: 'x', auto: true },
          { scale: 'y', auto: true },
        ],
        paths: drawGroup(gi),
      })),
      ...(ringFacet
        ? [
            {
              label: 'slow',
              stroke: spec.rings!.color,
              facets: [
                { scale: 'x', auto: true },
                { scale: 'y', auto: true },
              ],
              paths: drawRings,
            },
          ]
        : []),
    ] as uPlot.Series[],
    hooks: {
      setScale: [
        (u, key) => {
          if (key !== 'x' || !reporting) return;
          const { min, max } = u.scales.x;
          if (min === undefined || max === undefined) return;
          const all = Math.abs(min - full[0]) < 1e-9 && Math.abs(max - full[1]) < 1e-9;
          spec.onXRange(all ? undefined : [min, max]);
        },
      ],
    },
  };
  const data = [null, ...facets, ...(ringFacet ? [ringFacet] : [])] as unknown as uPlot.AlignedData;
  const u = new uPlot(opts, data, wrap);
  u.over.append(tip);

  const setX = (range: [number, number] | undefined, report = true) => {
    const [min, max] = range ?? full;
    reporting = report;
    u.setScale('x', { min, max });
    reporting = true;
  };
  setX(spec.xRange ?? full, false);

  const nearest = (left: number, top: number): number | undefined => {
    let best: number | undefined;
    let bestD = Infinity;
    const consider = (i: number) => {
      const dx = u.valToPos(spec.x[i], 'x') - left;
      const dy = u.valToPos(spec.y[i], 'y') - top;
      const d = Math.hypot(dx, dy) - spec.radius[i];
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    };
    spec.groups.forEach((g, gi) => {
      if (u.series[gi + 1].show) for (const i of g.rows) consider(i);
    });
    return bestD <= HIT_PX ? best : undefined;
  };

  let frame = 0;
  const onMove = (e: MouseEvent) => {
    if (pan) {
      const s = u.bbox.width / dpr();
      const dv = ((e.clientX - pan.x) / s) * (pan.max - pan.min);
      setX([pan.min - dv, pan.max - dv]);
      return;
    }
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const r = u.over.getBoundingClientRect();
      const row = nearest(e.clientX - r.left, e.clientY - r.top);
      if (row === undefined) {
        tip.hidden = true;
        return;
      }
      tip.textContent = spec.describe(row);
      tip.hidden = false;
      const x = u.valToPos(spec.x[row], 'x');
      const y = u.valToPos(spec.y[row], 'y');
      const w = tip.offsetWidth;
      tip.style.left = `${x + 12 + w > r.width ? Math.max(0, x - 12 - w) : x + 12}px`;
      tip.style.top = `${Math.max(0, y - tip.offsetHeight - 8)}px`;
    });
  };
  const endPan = () => {
    pan = undefined;
    wrap.classList.remove('panning');
  };
  const onClick = (e: MouseEvent) => {
    if (!downAt || Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y) > 3) return;
    const r = u.over.getBoundingClientRect();
    const row = nearest(e.clientX - r.left, e.clientY - r.top);
    if (row !== undefined) spec.onClick(row);
  };
  const zoomBy = (factor: number, at?: number) => {
    const min = u.scales.x.min ?? full[0];
    const max = u.scales.x.max ?? full[1];
    const c = at ?? (min + max) / 2;
    setX([c - (c - min) * factor, c + (max - c) * factor]);
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = u.over.getBoundingClientRect();
    zoomBy(e.deltaY > 0 ? 1.25 : 0.8, u.posToVal(e.clientX - r.left, 'x'));
  };
  const onKey = (e: KeyboardEvent) => {
    const min = u.scales.x.min ?? full[0];
    const max = u.scales.x.max ?? full[1];
    const step = (max - min) * 0.2;
    if (e.key === 'ArrowLeft') setX([min - step, max - step]);
    else if (e.key === 'ArrowRight') setX([min + step, max + step]);
    else if (e.key === '+' || e.key === '=') zoomBy(0.8);
    else if (e.key === '-') zoomBy(1.25);
    else if (e.key === '0' || e.key === 'Home') setX(undefined);
    else return;
    e.preventDefault();
  };
  u.over.addEventListener('mousemove', onMove);
  u.over.addEventListener('mouseleave', () => (tip.hidden = true));
  u.over.addEventListener('click', onClick);
  u.over.addEventListener('wheel', onWheel, { passive: false });
  window.addEventListener('mouseup', endPan);
  wrap.addEventListener('keydown', onKey);
  const resize = new ResizeObserver(() => {
    const w = box.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height: spec.height });
  });
  resize.observe(box);

  return {
    setXRange: (range) => setX(range, false),
    setGroupVisible: (g, visible) => u.setSeries(g + 1, { show: visible }),
    rowAt: (left, top) => nearest(left, top),
    destroy: () => {
      resize.disconnect();
      window.removeEventListener('mouseup', endPan);
      cancelAnimationFrame(frame);
      u.destroy();
      wrap.remove();
    },
  };
}

/** Tick labels with as many decimals as the step between ticks needs (0.001 apart: three), never "0, 0, 0". */
function tickLabels(splits: number[]): string[] {
  const finite = splits.filter((v) => Number.isFinite(v));
  let step = Infinity;
  for (let i = 1; i < finite.length; i++) step = Math.min(step, Math.abs(finite[i] - finite[i - 1]));
  return splits.map((v) => {
    if (!Number.isFinite(v)) return '';
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(0);
    const ref = Number.isFinite(step) && step > 0 ? step : a || 1;
    // enough decimals for the step between ticks, and for the value itself on a log axis (0.1, 0.01)
    const forStep = -Math.floor(Math.log10(ref) + 1e-9);
    const forValue = a > 0 && a < 1 ? -Math.floor(Math.log10(a) + 1e-9) : 0;
    const decimals = Math.min(6, Math.max(0, forStep, forValue));
    return v.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals });
  });
}

function clip(u: uPlot): void {
  const { left, top, width, height } = u.bbox;
  u.ctx.beginPath();
  u.ctx.rect(left, top, width, height);
  u.ctx.clip();
}

/** A group's points as uPlot's mode-2 facet [xs, ys]. */
function facet(spec: ScatterSpec, rows: number[]): [Float64Array, Float64Array] {
  const xs = new Float64Array(rows.length);
  const ys = new Float64Array(rows.length);
  rows.forEach((i, k) => {
    xs[k] = spec.x[i];
    ys[k] = spec.y[i];
  });
  return [xs, ys];
}

function xExtent(spec: ScatterSpec): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const g of spec.groups)
    for (const i of g.rows) {
      if (spec.x[i] < min) min = spec.x[i];
      if (spec.x[i] > max) max = spec.x[i];
    }
  if (min === Infinity) return [0, 1];
  const pad = (max - min) * 0.02 || 1;
  return [min - pad, max + pad];
}

/** The y range with room above and below for the largest markers (none is cut at the top). */
export function yExtent(spec: Pick<ScatterSpec, 'y' | 'groups'>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const g of spec.groups)
    for (const i of g.rows) {
      if (spec.y[i] < min) min = spec.y[i];
      if (spec.y[i] > max) max = spec.y[i];
    }
  if (min === Infinity) return [0.001, 1];
  return [min / 2.5, max * 2.5];
}
