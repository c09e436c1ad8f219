// The call tree as an icicle and a distribution as a log-binned histogram, both on canvas.
import type { TimelineCallTree, TimelineHistogram } from '../../src/protocol';
import { themeColor } from '../common/dom';
import { fmtBytes, fmtDur } from './time-axis';

const ROW = 20;

interface Box {
  node: number;
  x: number;
  y: number;
  w: number;
}

/** Lays the tree out as an icicle: each node's width is its total time's share of its parent's. */
export function icicleLayout(t: TimelineCallTree, width: number): Box[] {
  const kids: number[][] = t.name.map(() => []);
  for (let v = 1; v < t.parent.length; v++) if (t.parent[v] >= 0) kids[t.parent[v]].push(v);
  const out: Box[] = [];
  const place = (v: number, x: number, w: number, depth: number) => {
    out.push({ node: v, x, y: depth * ROW, w });
    let cx = x;
    const total = t.totalUs[v] || 1;
    for (const c of kids[v].sort((a, b) => t.totalUs[b] - t.totalUs[a])) {
      const cw = (t.totalUs[c] / total) * w;
      if (cw >= 0.5) place(c, cx, cw, depth + 1);
      cx += cw;
    }
  };
  place(0, 0, width, 0);
  return out;
}

export function drawIcicle(
  canvas: HTMLCanvasElement,
  t: TimelineCallTree,
  color: (name: string) => string,
  hover: number | null,
): Box[] {
  const W = canvas.clientWidth;
  const boxes = icicleLayout(t, W);
  const depth = boxes.reduce((m, b) => Math.max(m, b.y), 0) / ROW + 1;
  const H = Math.max(120, depth * ROW + 4);
  canvas.style.height = `${H}px`;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  const fg = themeColor('--vscode-editor-background', '#1e1e1e');
  for (const b of boxes) {
    ctx.fillStyle =
      b.node === 0 ? themeColor('--vscode-descriptionForeground', '#888') : color(t.name[b.node]);
    ctx.fillRect(b.x, b.y, Math.max(0.5, b.w - 1), ROW - 1);
    if (b.node === hover) {
      ctx.strokeStyle = themeColor('--vscode-focusBorder', '#0078d4');
      ctx.lineWidth = 2;
      ctx.strokeRect(b.x + 1, b.y + 1, b.w - 2, ROW - 3);
    }
    if (b.w > 40) {
      ctx.fillStyle = fg;
      const label = `${t.name[b.node]} ${fmtDur(t.totalUs[b.node])}`;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.x, b.y, b.w - 2, ROW);
      ctx.clip();
      ctx.fillText(label, b.x + 3, b.y + ROW / 2);
      ctx.restore();
    }
  }
  return boxes;
}

export function boxAt(boxes: Box[], x: number, y: number): number | null {
  for (const b of boxes) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + ROW) return b.node;
  return null;
}

/** Bars per log bin with p50/p90/p99 marked on a log axis. */
export function drawHistogram(
  canvas: HTMLCanvasElement,
  h: TimelineHistogram,
  measure: 'dur' | 'bytes',
): void {
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px sans-serif';
  const fmt = measure === 'dur' ? fmtDur : fmtBytes;
  const n = h.binsCount.length;
  if (n === 0) return;
  const peak = Math.max(...h.binsCount);
  const left = 50;
  const bottom = H - 22;
  const bw = (W - left - 10) / n;
  const bar = themeColor('--vscode-charts-blue', '#3794ff');
  const muted = themeColor('--vscode-descriptionForeground', '#999');
  for (let i = 0; i < n; i++) {
    const hgt = (h.binsCount[i] / peak) * (bottom - 20);
    ctx.fillStyle = bar;
    ctx.fillRect(left + i * bw + 1, bottom - hgt, Math.max(1, bw - 2), hgt);
    if (n <= 24 || i % Math.ceil(n / 12) === 0) {
      ctx.fillStyle = muted;
      ctx.fillText(h.binsHi[i] === 0 ? '0' : fmt(h.binsLo[i]), left + i * bw, H - 6);
    }
  }
  ctx.fillStyle = muted;
  ctx.fillText(String(peak), 4, 24);
  // percentile markers: position within their bin on a log scale
  const xOf = (v: number) => {
    for (let i = 0; i < n; i++) {
      if (h.binsHi[i] === 0 && v === 0) return left + i * bw + bw / 2;
      if (v >= h.binsLo[i] && v < h.binsHi[i]) {
        const f = Math.log(v / h.binsLo[i]) / Math.log(h.binsHi[i] / h.binsLo[i]);
        return left + (i + f) * bw;
      }
    }
    return left + n * bw;
  };
  const mark = themeColor('--vscode-charts-orange', '#d18616');
  [
    ['p50', h.p50],
    ['p90', h.p90],
    ['p99', h.p99],
  ].forEach(([label, v], k) => {
    const x = xOf(v as number);
    ctx.fillStyle = mark;
    ctx.fillRect(x, 14, 1, bottom - 14);
    ctx.fillText(`${label} ${fmt(v as number)}`, x + 3, 12 + k * 12);
  });
}
