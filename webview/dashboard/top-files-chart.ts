import { Plotly, palette, plotConfig, themedLayout, type Data } from '../common/plot';
import { h } from '../common/dom';
import type { FileRow } from './file-table';

const TOP = 15;

/** The files that took the most I/O time, stacked by operation; clicking a bar opens that file's events. */
export function renderTopFilesChart(box: HTMLElement, rows: FileRow[], open: (file: string) => void): void {
  const top = [...rows]
    .sort((a, b) => b.durUs - a.durUs)
    .slice(0, TOP)
    .reverse();
  if (top.length === 0) {
    box.append(h('p', { class: 'muted' }, 'No POSIX or STDIO operations on files.'));
    return;
  }
  const ops = new Map<string, number>();
  for (const r of top) for (const [op, us] of Object.entries(r.opsUs)) ops.set(op, (ops.get(op) ?? 0) + us);
  const opNames = [...ops].sort((a, b) => b[1] - a[1]).map(([op]) => op);
  const label = (f: string) => (f.length > 48 ? '…' + f.slice(-47) : f || '(no file)');
  const colors = palette();
  const data: Data[] = opNames.map((op, i) => ({
    type: 'bar',
    orientation: 'h',
    name: op,
    y: top.map((r) => label(r.file)),
    x: top.map((r) => (r.opsUs[op] ?? 0) / 1e6),
    customdata: top.map((r) => [r.file, r.ops[op] ?? 0]),
    marker: { color: colors[i % colors.length] },
    hovertemplate: `%{customdata[0]}<br>${op}: %{x:.3f} s in %{customdata[1]} calls<extra></extra>`,
  }));
  const plot = h('div', { class: 'plot', 'data-testid': 'top-files-chart' });
  plot.style.height = `${Math.max(200, top.length * 22 + 80)}px`;
  box.append(plot);
  void Plotly.newPlot(
    plot,
    data,
    themedLayout({
      barmode: 'stack',
      xaxis: { title: { text: 'I/O time (s, summed over calls)' } },
      margin: { l: 10, r: 10, t: 10, b: 40 },
    }),
    plotConfig,
  ).then((el) =>
    el.on('plotly_click', (e) => {
      const data = e.points[0]?.customdata;
      if (Array.isArray(data) && typeof data[0] === 'string') open(data[0]);
    }),
  );
}
