import { fmtBytes, fmtUs } from '../../src/engine/format';
import type { DashboardSummary, SlowCall } from '../../src/protocol';
import { h } from '../common/dom';
import { tierBadge } from '../common/palette';
import { middleEllipsis } from '../common/paths';

const SHOWN = 25;

/** The slowest write calls of the run; each row opens the file's event list with that write selected. */
export function renderSlowestWrites(
  box: HTMLElement,
  summary: DashboardSummary,
  open: (w: SlowCall) => void,
): void {
  const writes = summary.slowestWrites.slice(0, SHOWN);
  if (writes.length === 0) {
    box.append(h('p', { class: 'muted' }, 'This run has no write calls.'));
    return;
  }
  const rows = writes.map((w, i) => {
    const tr = h(
      'tr',
      {
        tabindex: 0,
        class: w.dur > summary.slowThresholdUs ? 'is-slow' : '',
        'data-testid': 'slow-write',
        title: 'Enter or click: show this write in the file’s event list',
      },
      h('td', { class: 'num muted' }, String(i + 1)),
      h('td', { class: 'num' }, fmtUs(w.relUs)),
      h('td', { class: 'num slow' }, fmtUs(w.dur)),
      h('td', { class: 'num' }, fmtBytes(w.bytes)),
      h('td', {}, w.op),
      h('td', {}, tierBadge(w.tier)),
      h('td', { class: 'mono file-cell', title: w.file }, middleEllipsis(w.file, 64)),
      h('td', { class: 'num' }, `${w.pid}/${w.tid}`),
    );
    tr.addEventListener('click', () => open(w));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(w);
      } else if (e.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
      else if (e.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
    });
    return tr;
  });
  box.append(
    h('p', { class: 'muted' }, `Slow means ${summary.slowThresholdLabel} (setting dftrace.slowWrites).`),
    h(
      'div',
      { class: 'table-scroll short' },
      h(
        'table',
        { class: 'grid', 'aria-label': 'Slowest writes' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['#', 't+', 'Duration', 'Bytes', 'Op', 'Tier', 'File', 'pid/tid'].map((c, i) =>
              h('th', { class: i < 4 || i === 7 ? 'num' : '', scope: 'col' }, c),
            ),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
