import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import { clear, h, icon } from '../common/dom';
import { tierBadge } from '../common/palette';
import { middleEllipsis } from '../common/paths';

export interface FileRow {
  file: string;
  tier: string;
  /** Calls per op name. */
  ops: Record<string, number>;
  /** Time per op name (µs). */
  opsUs: Record<string, number>;
  count: number;
  readBytes: number;
  writeBytes: number;
  durUs: number;
}

interface Options {
  sort?: { key: string; descending: boolean };
  filter?: string;
  tier?: string;
  onState(s: { sort?: { key: string; descending: boolean }; filter?: string; tier?: string }): void;
  open(file: string): void;
}

const MAX_ROWS = 500;
const OP_COLUMNS = 6;

/**
 * Accessed files with their operation counts, bytes and time: sortable by any column, filterable by path text and
 * storage tier. Rows are keyboard reachable; Enter opens the file's event list.
 */
export class FileTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly head = h('thead');
  private readonly note = h('p', { class: 'muted' });
  private readonly opColumns: string[];
  private sort: { key: string; descending: boolean };
  private filter: string;
  private tier: string;

  constructor(
    private readonly rows: FileRow[],
    noArgs: boolean,
    private readonly opts: Options,
  ) {
    const totals = new Map<string, number>();
    for (const r of rows)
      for (const [op, n] of Object.entries(r.ops)) totals.set(op, (totals.get(op) ?? 0) + n);
    this.opColumns = [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, OP_COLUMNS)
      .map(([op]) => op);
    this.sort = opts.sort ?? { key: 'durUs', descending: true };
    this.filter = opts.filter ?? '';
    this.tier = opts.tier ?? '';
    const tiers = [...new Set(rows.map((r) => r.tier))].sort();
    const search = h('vscode-textfield', {
      placeholder: 'Filter files by path',
      value: this.filter,
      'aria-label': 'Filter files by path',
      'data-testid': 'file-filter',
    }) as HTMLElement & { value: string };
    search.append(h('span', { slot: 'content-before', class: 'codicon codicon-filter' }));
    search.addEventListener('input', () => {
      this.filter = search.value;
      this.update();
    });
    const tierSelect = h(
      'select',
      { 'aria-label': 'Storage tier', class: 'select' },
      h('option', { value: '' }, 'All tiers'),
      ...tiers.map((t) => h('option', { value: t, selected: t === this.tier }, t)),
    ) as HTMLElement & { value: string };
    tierSelect.addEventListener('change', () => {
      this.tier = tierSelect.value;
      this.update();
    });
    this.element = h(
      'div',
      {},
      h('div', { class: 'toolbar' }, search, tierSelect, this.note),
      noArgs && rows.length === 0
        ? h('p', { class: 'muted' }, 'No file names were recorded, so there is nothing to list per file.')
        : h(
            'div',
            { class: 'table-scroll' },
            h('table', { class: 'grid', 'aria-label': 'Operations per file' }, this.head, this.body),
          ),
    );
    this.update();
  }

  private columns(): {
    key: string;
    label: string;
    num: boolean;
    value: (r: FileRow) => number | string;
    show: (r: FileRow) => string;
  }[] {
    return [
      // cut in the middle: rows that differ only at their end (libmca_common_ucx.so.40, …ompio.so.41) stay apart
      {
        key: 'file',
        label: 'File',
        num: false,
        value: (r) => r.file,
        show: (r) => middleEllipsis(r.file || '(no file)', 72),
      },
      { key: 'tier', label: 'Tier', num: false, value: (r) => r.tier, show: (r) => r.tier },
      { key: 'count', label: 'Ops', num: true, value: (r) => r.count, show: (r) => fmtCount(r.count) },
      ...this.opColumns.map((op) => ({
        key: `op:${op}`,
        label: op,
        num: true,
        value: (r: FileRow) => r.ops[op] ?? 0,
        show: (r: FileRow) => (r.ops[op] ? fmtCount(r.ops[op]) : ''),
      })),
      {
        key: 'readBytes',
        label: 'Read',
        num: true,
        value: (r) => r.readBytes,
        show: (r) => (r.readBytes ? fmtBytes(r.readBytes) : ''),
      },
      {
        key: 'writeBytes',
        label: 'Written',
        num: true,
        value: (r) => r.writeBytes,
        show: (r) => (r.writeBytes ? fmtBytes(r.writeBytes) : ''),
      },
      { key: 'durUs', label: 'I/O time', num: true, value: (r) => r.durUs, show: (r) => fmtUs(r.durUs) },
    ];
  }

  private update(): void {
    const cols = this.columns();
    const col = cols.find((c) => c.key === this.sort.key) ?? cols[cols.length - 1];
    const needle = this.filter.toLowerCase();
    const shown = this.rows
      .filter(
        (r) => (!this.tier || r.tier === this.tier) && (!needle || r.file.toLowerCase().includes(needle)),
      )
      .sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return this.sort.descending ? -c : c;
      });
    clear(this.head);
    this.head.append(
      h(
        'tr',
        {},
        ...cols.map((c) => {
          const sorted = c.key === this.sort.key;
          const th = h(
            'th',
            {
              class: c.num ? 'num' : '',
              tabindex: 0,
              scope: 'col',
              'aria-sort': sorted ? (this.sort.descending ? 'descending' : 'ascending') : 'none',
              title: `Sort by ${c.label}`,
            },
            c.label,
            sorted ? icon(this.sort.descending ? 'arrow-down' : 'arrow-up') : '',
          );
          const toggle = () => {
            this.sort = { key: c.key, descending: sorted ? !this.sort.descending : c.num };
            this.update();
          };
          th.addEventListener('click', toggle);
          th.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              toggle();
            }
          });
          return th;
        }),
      ),
    );
    clear(this.body);
    for (const r of shown.slice(0, MAX_ROWS)) {
      const tr = h(
        'tr',
        { tabindex: 0, title: `${r.file}\nEnter or click: open the event list`, 'data-file': r.file },
        ...cols.map((c) => {
          const td = h('td', { class: c.num ? 'num' : c.key === 'file' ? 'mono file-cell' : '' }, c.show(r));
          if (c.key === 'tier') {
            td.textContent = '';
            td.append(tierBadge(r.tier));
          }
          return td;
        }),
      );
      tr.addEventListener('click', () => this.opts.open(r.file));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.opts.open(r.file);
        } else if (e.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
        else if (e.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
      });
      this.body.append(tr);
    }
    this.note.textContent =
      shown.length > MAX_ROWS
        ? `showing ${MAX_ROWS} of ${fmtCount(shown.length)} files (filter to narrow)`
        : `${fmtCount(shown.length)} of ${fmtCount(this.rows.length)} files`;
    this.opts.onState({ sort: this.sort, filter: this.filter, tier: this.tier });
  }
}
