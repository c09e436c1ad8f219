import type { SortSpec } from '../../src/protocol';
import { h, icon } from '../common/dom';
import { fmtInt, type Column, type EventRow } from './rows';
import { isNavKey, navigate, pageKeys, ScrollGeometry } from './virtual';

export interface GridHost {
  rowAt(index: number): EventRow | undefined;
  /** The pages the rows on screen need (most important first). */
  wantPages(pages: number[]): void;
  pageSize: number;
  /** The user moved the selection (click or key). */
  onSelect(index: number): void;
  /** Enter or double-click on a row. */
  onActivate(index: number): void;
  onCopy(index: number): void;
  onSort(column: Column): void;
  /** Scrolling settled (for saving the position). */
  onScrollSettled(): void;
}

/** One reusable row element. Row i always lands in slot i % pool size, so rows still on screen keep theirs. */
interface Slot {
  el: HTMLDivElement;
  cells: HTMLDivElement[];
  index: number;
  row: EventRow | undefined;
  y: number;
  selected: boolean;
  shown: boolean;
}

const OVERSCAN = 8;

/**
 * A virtualized grid: a scroll container whose spacer is as tall as every row together, with only the rows on
 * screen (plus overscan) in the DOM, repositioned and refilled in place on scroll.
 */
export class EventGrid {
  readonly el: HTMLDivElement;
  private readonly head: HTMLDivElement;
  private readonly headCells: HTMLDivElement[] = [];
  private readonly body: HTMLDivElement;
  private readonly pool: Slot[] = [];
  private readonly slotOf = new WeakMap<Element, Slot>();
  private total = 0;
  private selected = -1;
  private bodyHeight = 0;
  private frame = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * A programmatic scroll of a scaled list lands on a whole physical pixel, which is up to `ratio` virtual pixels
   * off; until the user scrolls, render from the exact virtual top that was asked for.
   */
  private pinned: { physical: number; virtual: number } | undefined;
  private readonly width: number;

  constructor(
    private readonly columns: Column[],
    private readonly rowHeight: number,
    private readonly host: GridHost,
  ) {
    this.width = columns.reduce((s, c) => s + c.width, 0);
    this.head = h('div', { class: 'ev-head', role: 'rowgroup' });
    const headRow = h('div', { class: 'ev-row ev-head-row', role: 'row', 'aria-rowindex': 1 });
    headRow.style.width = `${this.width}px`;
    for (const c of columns) {
      const cell = h(
        'div',
        {
          class: `ev-cell ev-col-${c.id}${c.numeric ? ' num' : ''}${c.sort ? ' sortable' : ''}`,
          role: 'columnheader',
          title: c.sort ? `${c.title} — click to sort` : c.title,
          tabindex: c.sort ? 0 : undefined,
        },
        h('span', { class: 'ev-head-label' }, c.label),
        c.sort ? icon('blank', undefined) : null,
      );
      cell.style.width = `${c.width}px`;
      if (c.sort) cell.addEventListener('click', () => this.host.onSort(c));
      this.headCells.push(cell);
      headRow.append(cell);
    }
    this.head.append(headRow);
    this.body = h('div', { class: 'ev-body', role: 'rowgroup' });
    this.body.style.width = `${this.width}px`;
    this.el = h(
      'div',
      {
        class: 'ev-grid',
        role: 'grid',
        tabindex: 0,
        'aria-label': 'Events',
        'aria-rowcount': 1,
        'aria-colcount': columns.length,
        'aria-readonly': 'true',
      },
      this.head,
      this.body,
    );
    this.el.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('mousedown', (e) => this.onMouseDown(e));
    this.el.addEventListener('dblclick', (e) => {
      const slot = this.slotAt(e.target);
      if (slot) this.host.onActivate(slot.index);
    });
    new ResizeObserver(() => {
      this.measure();
      this.render();
    }).observe(this.el);
  }

  get rowCount(): number {
    return this.total;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get scrollTop(): number {
    return this.el.scrollTop;
  }

  setTotal(total: number): void {
    if (total === this.total) return;
    this.total = total;
    this.pinned = undefined;
    this.el.setAttribute('aria-rowcount', String(total + 1));
    this.body.style.height = `${Math.round(this.geometry().physicalHeight)}px`;
    if (this.selected >= total) this.selected = -1;
    this.schedule();
  }

  setSort(sort: SortSpec): void {
    this.columns.forEach((c, i) => {
      const cell = this.headCells[i];
      if (!c.sort) return;
      const on = c.sort === sort.column;
      cell.setAttribute('aria-sort', on ? (sort.descending ? 'descending' : 'ascending') : 'none');
      cell.classList.toggle('sorted', on);
      const glyph = cell.querySelector('.codicon');
      if (glyph)
        glyph.className = `codicon codicon-${on ? (sort.descending ? 'arrow-down' : 'arrow-up') : 'blank'}`;
    });
  }

  setSelected(index: number): void {
    this.selected = index;
    this.schedule();
  }

  /** Scrolls row `index` into view. */
  reveal(index: number, mode: 'nearest' | 'center'): void {
    if (index < 0 || index >= this.total) return;
    this.measure();
    const g = this.geometry();
    const current = this.virtualTop(g);
    const top = g.reveal(index, current, mode);
    if (top !== current) this.scrollToVirtual(g, top);
    this.render();
  }

  scrollTo(physicalTop: number): void {
    this.pinned = undefined;
    this.el.scrollTop = physicalTop;
    this.render();
  }

  /** Row data changed (a page arrived or the order was reset): refill every row on screen. */
  invalidate(): void {
    for (const s of this.pool) s.row = undefined;
    for (const s of this.pool) s.index = -1;
    this.schedule();
  }

  /** A page arrived: refill only rows that were waiting for it. */
  refresh(): void {
    this.schedule();
  }

  focus(): void {
    this.el.focus({ preventScroll: true });
  }

  private scheduled = false;
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private measure(): void {
    this.bodyHeight = Math.max(0, this.el.clientHeight - this.head.offsetHeight);
    this.body.style.height = `${Math.round(this.geometry().physicalHeight)}px`;
  }

  private geometry(): ScrollGeometry {
    return new ScrollGeometry(this.total, this.rowHeight, this.bodyHeight);
  }

  private virtualTop(g: ScrollGeometry): number {
    const physical = this.el.scrollTop;
    if (this.pinned && Math.abs(this.pinned.physical - physical) < 1) return this.pinned.virtual;
    this.pinned = undefined;
    return g.toVirtual(physical);
  }

  private scrollToVirtual(g: ScrollGeometry, virtualTop: number): void {
    this.el.scrollTop = g.toPhysical(virtualTop);
    this.pinned = g.ratio === 1 ? undefined : { physical: this.el.scrollTop, virtual: virtualTop };
  }

  private onScroll(): void {
    this.render();
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.host.onScrollSettled(), 250);
  }

  /** Everything per frame is O(rows on screen): no node is created unless the viewport grew. */
  render(): void {
    if (this.bodyHeight === 0) this.measure();
    const g = this.geometry();
    const physical = this.el.scrollTop;
    const virtual = this.virtualTop(g);
    const range = g.visible(virtual, OVERSCAN);
    // Pages on screen first, so a fast scroll fetches what the user sees before the overscan.
    const onScreen = pageKeys(g.visible(virtual, 0), this.host.pageSize);
    this.host.wantPages([...new Set(onScreen.concat(pageKeys(range, this.host.pageSize)))]);
    const need = range.end - range.start;
    if (need > this.pool.length) this.grow(need);
    const frame = ++this.frame;
    const n = this.pool.length;
    const stamp = new Uint32Array(n);
    let activeId: string | undefined;
    for (let i = range.start; i < range.end; i++) {
      const slot = this.pool[i % n];
      stamp[i % n] = frame;
      const row = this.host.rowAt(i);
      if (slot.index !== i || slot.row !== row) this.fill(slot, i, row);
      const y = g.rowTop(i, physical, virtual);
      if (slot.y !== y) {
        slot.y = y;
        slot.el.style.transform = `translateY(${y}px)`;
      }
      if (!slot.shown) {
        slot.shown = true;
        slot.el.hidden = false;
      }
      const sel = i === this.selected;
      if (slot.selected !== sel) {
        slot.selected = sel;
        slot.el.classList.toggle('selected', sel);
        slot.el.setAttribute('aria-selected', String(sel));
        if (sel) slot.el.setAttribute('data-selected', 'true');
        else slot.el.removeAttribute('data-selected');
      }
      if (sel) activeId = slot.el.id;
    }
    for (let s = 0; s < n; s++) {
      const slot = this.pool[s];
      if (stamp[s] !== frame && slot.shown) {
        slot.shown = false;
        slot.el.hidden = true;
        slot.index = -1;
        if (slot.selected) {
          slot.selected = false;
          slot.el.classList.remove('selected');
          slot.el.setAttribute('aria-selected', 'false');
          slot.el.removeAttribute('data-selected');
        }
      }
    }
    if (activeId) this.el.setAttribute('aria-activedescendant', activeId);
    else this.el.removeAttribute('aria-activedescendant');
  }

  private grow(need: number): void {
    // Room for a taller viewport without regrowing on every pixel of a resize.
    const size = need + 16;
    for (const s of this.pool) s.index = -1;
    while (this.pool.length < size) {
      const cells = this.columns.map((c) => {
        const cell = h('div', {
          class: `ev-cell ev-col-${c.id}${c.numeric ? ' num' : ''}${c.mono ? ' mono' : ''}`,
          role: 'gridcell',
        });
        cell.style.width = `${c.width}px`;
        return cell;
      });
      const el = h('div', {
        class: 'ev-row',
        role: 'row',
        id: `ev-row-${this.pool.length}`,
        'aria-selected': 'false',
      });
      el.hidden = true;
      el.style.width = `${this.width}px`;
      el.append(...cells);
      const slot: Slot = { el, cells, index: -1, row: undefined, y: NaN, selected: false, shown: false };
      this.slotOf.set(el, slot);
      this.pool.push(slot);
      this.body.append(el);
    }
  }

  private fill(slot: Slot, index: number, row: EventRow | undefined): void {
    slot.index = index;
    slot.row = row;
    slot.el.setAttribute('aria-rowindex', String(index + 2));
    slot.el.classList.toggle('pending', !row);
    for (let c = 0; c < this.columns.length; c++) {
      const col = this.columns[c];
      const cell = slot.cells[c];
      if (row) {
        cell.textContent = col.text(row);
        const tip = col.tip?.(row);
        if (tip) cell.title = tip;
        else if (cell.title) cell.removeAttribute('title');
      } else {
        cell.textContent = c === 0 ? fmtInt(index + 1) : '';
        if (cell.title) cell.removeAttribute('title');
      }
    }
  }

  private slotAt(target: EventTarget | null): Slot | undefined {
    const el = target instanceof Element ? target.closest('.ev-body > .ev-row') : null;
    const slot = el ? this.slotOf.get(el) : undefined;
    return slot && slot.index >= 0 ? slot : undefined;
  }

  private onMouseDown(e: MouseEvent): void {
    if (e.button !== 0 && e.button !== 2) return;
    const slot = this.slotAt(e.target);
    if (!slot) return;
    this.host.onSelect(slot.index);
  }

  private onKey(e: KeyboardEvent): void {
    const onHeader = e.target instanceof Element && e.target.closest('.ev-head');
    if (onHeader) {
      if (e.key === 'Enter' || e.key === ' ') {
        const i = this.headCells.indexOf(e.target as HTMLDivElement);
        const c = this.columns[i];
        if (c?.sort) {
          e.preventDefault();
          this.host.onSort(c);
        }
      }
      return;
    }
    const mod = e.ctrlKey || e.metaKey;
    if (isNavKey(e.key) && !e.altKey && !mod && !e.shiftKey) {
      e.preventDefault();
      this.measure();
      const g = this.geometry();
      const firstVisible = g.visible(this.virtualTop(g), 0).start;
      const next = navigate(e.key, this.selected, this.total, g.rowsPerPage, firstVisible);
      if (next < 0) return;
      this.host.onSelect(next);
      this.reveal(next, 'nearest');
      return;
    }
    if (e.key === 'Enter' && this.selected >= 0) {
      e.preventDefault();
      this.host.onActivate(this.selected);
      return;
    }
    if (mod && !e.altKey && (e.key === 'c' || e.key === 'C') && this.selected >= 0) {
      // Text the user selected with the mouse is theirs to copy; otherwise the row is.
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed && this.el.contains(sel.anchorNode)) return;
      e.preventDefault();
      this.host.onCopy(this.selected);
    }
  }
}
