import { fmtCount, fmtUs } from '../../src/engine/format';
import { OP_COLORS } from '../../src/views/tier-palette';
import { h } from '../common/dom';
import { legend } from '../common/legend';
import { cssColor } from '../common/palette';
import { middleEllipsis } from '../common/paths';
import type { FileRow } from './file-table';

const TOP = 15;

/**
 * The files that took the most I/O time, one bar each, stacked by operation; a click (or Enter) on a bar opens
 * that file's events. Plain HTML, no chart library: 15 bars do not need one, the text is selectable and the bars
 * follow the theme through CSS variables. Each op has its own colour (the heaviest ten; the rest are "other ops").
 */
export function renderTopFilesChart(box: HTMLElement, rows: FileRow[], open: (file: string) => void): void {
  const top = [...rows].sort((a, b) => b.durUs - a.durUs).slice(0, TOP);
  if (top.length === 0) {
    box.append(h('p', { class: 'muted' }, 'No POSIX or STDIO operations on files.'));
    return;
  }
  const opTime = new Map<string, number>();
  for (const r of top)
    for (const [op, us] of Object.entries(r.opsUs)) opTime.set(op, (opTime.get(op) ?? 0) + us);
  const byTime = [...opTime].sort((a, b) => b[1] - a[1]).map(([op]) => op);
  const many = byTime.length > OP_COLORS.length;
  const named = many ? byTime.slice(0, OP_COLORS.length - 1) : byTime;
  const colorOf = new Map(named.map((op, i) => [op, cssColor(OP_COLORS[i])]));
  const otherColor = cssColor('charts.foreground');
  const max = top[0].durUs || 1;

  const bars = top.map((r) => {
    const track = h('div', { class: 'bar-track' });
    const parts = new Map<string, number>();
    for (const [op, us] of Object.entries(r.opsUs)) {
      const key = colorOf.has(op) ? op : 'other ops';
      parts.set(key, (parts.get(key) ?? 0) + us);
    }
    for (const op of [...named, 'other ops']) {
      const us = parts.get(op);
      if (!us) continue;
      const seg = h('span', { class: 'bar-seg', 'data-op': op, title: `${op}: ${fmtUs(us)}` });
      seg.style.width = `${(100 * us) / max}%`;
      seg.style.background = colorOf.get(op) ?? otherColor;
      track.append(seg);
    }
    const calls = fmtCount(r.count);
    const row = h(
      'div',
      {
        class: 'bar-row',
        role: 'button',
        tabindex: 0,
        'data-file': r.file,
        title: `${r.file || '(no file)'}\n${fmtUs(r.durUs)} in ${calls} call${r.count === 1 ? '' : 's'} · ${r.tier}\nEnter or click: open its events`,
      },
      h('span', { class: 'bar-label mono' }, middleEllipsis(r.file || '(no file)', 56)),
      track,
      h('span', { class: 'bar-value num' }, fmtUs(r.durUs)),
    );
    row.addEventListener('click', () => open(r.file));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(r.file);
      } else if (e.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
      else if (e.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
    });
    return row;
  });
  const items = named.map((op) => ({ label: op, color: colorOf.get(op)!, count: fmtUs(opTime.get(op)!) }));
  if (many) {
    const rest = byTime.slice(named.length);
    items.push({
      label: `other ops (${rest.length})`,
      color: otherColor,
      count: fmtUs(rest.reduce((s, op) => s + opTime.get(op)!, 0)),
    });
  }
  box.append(
    h(
      'div',
      { class: 'bars', 'data-testid': 'top-files-chart', 'aria-label': 'Top files by I/O time' },
      ...bars,
    ),
    legend(items),
    h('p', { class: 'muted' }, 'I/O time summed over calls (concurrent calls add up).'),
  );
}
