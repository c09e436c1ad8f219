// The file event list: every event that touched one accessed file, paged from the host into a virtualized grid.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import './events.css';
import { fmtCount } from '../../src/engine/format';
import type {
  EventRef,
  EventsPage,
  LoadProgress,
  SortColumn,
  SortSpec,
  ViewTarget,
} from '../../src/protocol';
import { clear, h, icon } from '../common/dom';
import { HostConnection } from '../common/host';
import { tierCss } from '../common/palette';
import { EventGrid } from './grid';
import { PageStore, type PageData } from './pages';
import { progressInfo } from './progress';
import { basename, COLUMNS, decodeRows, refOf, rowJson, sameRef, type Column, type EventRow } from './rows';

type EventsTarget = Extract<ViewTarget, { view: 'events' }>;
type OpCount = EventsPage['ops'][number];

/** What survives a reload of the webview; the host's panel serializer reads runId, file, op and select. */
interface SavedState {
  runId: string;
  file: string;
  op?: string;
  sort: SortSpec;
  scrollTop: number;
  selected?: EventRef;
  select?: EventRef;
}

type Reveal = 'center' | 'top' | { top: number };

const PAGE_SIZE = 500;
const DEFAULT_SORT: SortSpec = { column: 'time', descending: false };
const SORT_COLUMNS: SortColumn[] = ['time', 'dur', 'bytes', 'op', 'offset', 'pid'];
/** Option values carry a prefix so that an op literally named "" cannot collide with "All ops". */
const OP_PREFIX = 'op:';

class EventsApp {
  private readonly host = new HostConnection<SavedState>();
  private readonly store: PageStore<EventRow, OpCount[]>;
  private readonly grid: EventGrid;
  private readonly rowHeight: number;
  private target: EventsTarget | undefined;
  private inits = 0;

  private op: string | undefined;
  private sort: SortSpec = DEFAULT_SORT;
  private ops: OpCount[] = [];
  private opsKey = '';
  private selIndex = -1;
  private selRef: EventRef | undefined;

  /** Generation whose total the grid shows; differs from the store's while a new order is being fetched. */
  private shownGen = -1;
  private everShown = false;
  /** Where to scroll once the first page of the current generation tells the total. */
  private pending: { index: number } | { top: number } | undefined;
  private focusOnShow = false;

  private phase: 'waiting' | 'loading' | 'loaded' | 'failed' = 'waiting';
  private progress: LoadProgress | undefined;
  private failure = '';
  private requestError = '';
  private notice = '';
  /** The run is being parsed again while rows are shown: fetch them anew once it is loaded. */
  private reloadAfterLoad = false;

  private readonly pathEl = h('span', { class: 'ev-path', role: 'heading', 'aria-level': 1 });
  private readonly tierDot = h('span', { class: 'tier-dot', 'aria-hidden': 'true' });
  private readonly tierText = h('span', {});
  private readonly tierEl = h(
    'span',
    { class: 'tier-badge', 'data-testid': 'tier-badge' },
    this.tierDot,
    this.tierText,
  );
  private readonly runEl = h('span', { class: 'ev-run' });
  private readonly countEl = h('span', { class: 'ev-count' });
  // a native select: lit's dropdown took hundreds of ms to build on a busy machine
  private readonly opSelect = h('select', { class: 'ev-op select', 'aria-label': 'Filter by op' });
  private readonly rawBtn = h(
    'vscode-button',
    { secondary: true, icon: 'go-to-file', disabled: true, title: 'Show the raw trace line (Enter)' },
    'Show raw line',
  );
  private readonly revealBtn = h(
    'vscode-button',
    {
      secondary: true,
      icon: 'folder-opened',
      disabled: true,
      title: 'Reveal the trace file of the selected event',
    },
    'Reveal trace file',
  );
  private readonly statusEl = h('div', { class: 'ev-status', 'aria-live': 'polite' });
  private readonly emptyEl = h('div', { class: 'ev-empty' });
  private readonly footerEl = h('div', { class: 'ev-footer', 'aria-live': 'polite' });
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.store = new PageStore<EventRow, OpCount[]>({
      pageSize: PAGE_SIZE,
      maxPages: 24,
      maxInFlight: 2,
      fetch: (start, count) => this.fetchPage(start, count),
      onPage: (_page, data) => this.onPage(data),
      onError: (e) => this.onRequestError(e),
    });
    this.rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--row-h')) || 22;
    this.grid = new EventGrid(COLUMNS, this.rowHeight, {
      rowAt: (i) => this.store.row(i),
      wantPages: (pages) => {
        // Until the first page of a new order arrives the grid still has the old total; its pages mean nothing.
        if (this.shownGen === this.store.generation) this.store.want(pages);
      },
      pageSize: PAGE_SIZE,
      onSelect: (i) => this.select(i),
      onActivate: (i) => {
        this.select(i);
        this.showRawLine();
      },
      onCopy: (i) => this.copyRow(i),
      onSort: (c) => this.sortBy(c),
      onScrollSettled: () => this.saveState(),
    });
    this.buildShell();
    this.host.on((msg) => {
      switch (msg.type) {
        case 'init':
          this.onInit(msg.target);
          return;
        case 'progress':
          if (this.phase !== 'loading' && this.everShown) this.reloadAfterLoad = true;
          this.phase = 'loading';
          this.progress = msg.progress;
          this.renderStatus();
          return;
        case 'loaded': {
          const again = this.reloadAfterLoad || this.phase === 'failed' || this.requestError !== '';
          this.phase = 'loaded';
          this.progress = undefined;
          this.reloadAfterLoad = false;
          this.renderStatus();
          if (again && this.target)
            void this.reload({ ref: this.selRef, reveal: { top: this.grid.scrollTop } });
          return;
        }
        case 'loadFailed':
          this.phase = 'failed';
          this.failure = msg.message;
          this.renderStatus();
          return;
        case 'select':
          if (this.target) void this.jump(msg.ref, msg.op);
          return;
        case 'settingsChanged':
          return;
      }
    });
    this.host.ready();
  }

  // ---- flows ----

  private onInit(t: ViewTarget): void {
    if (t.view !== 'events') return;
    const first = this.inits++ === 0;
    const sameTarget = this.target?.runId === t.runId && this.target?.file === t.file;
    this.target = t;
    this.renderHeader();
    this.notice = '';
    if (!first && sameTarget) {
      // The host re-targeted the open list (another op filter) or asks to select an event.
      this.op = t.op;
      if (t.select) void this.reload({ ref: t.select, reveal: 'center', clearIfHidden: true, focus: true });
      else void this.reload({ ref: this.selRef, reveal: this.selRef ? 'center' : 'top' });
      return;
    }
    const saved = first ? this.host.state : undefined;
    const restore = saved && saved.runId === t.runId && saved.file === t.file ? saved : undefined;
    this.sort = validSort(restore?.sort) ?? DEFAULT_SORT;
    this.selIndex = -1;
    this.selRef = undefined;
    this.ops = [];
    this.opsKey = '';
    this.everShown = false;
    if (t.select) {
      this.op = t.op;
      // After a restart the serializer hands back the saved selection as `select`: restore the exact scroll.
      const same = restore && sameRef(restore.selected, t.select) && restore.op === t.op;
      void this.reload({
        ref: t.select,
        reveal: same ? { top: restore.scrollTop ?? 0 } : 'center',
        clearIfHidden: true,
        focus: !same,
      });
    } else if (restore) {
      this.op = restore.op;
      void this.reload({ ref: restore.selected, reveal: { top: restore.scrollTop ?? 0 } });
    } else {
      this.op = t.op;
      void this.reload({ reveal: 'top' });
    }
  }

  /**
   * Starts a new order/filter generation: finds where `ref` now sits (to keep it selected), then fetches the first
   * page needed; the grid takes the new total when that page arrives.
   */
  private async reload(o: {
    ref?: EventRef;
    reveal: Reveal;
    clearIfHidden?: boolean;
    focus?: boolean;
  }): Promise<void> {
    const gen = this.store.reset();
    this.requestError = '';
    this.renderOps();
    this.grid.setSort(this.sort);
    this.renderCounts();
    this.renderStatus();
    this.renderFooter();
    this.saveState();
    let index = -1;
    if (o.ref) {
      try {
        index = (await this.host.request({ kind: 'locate', ref: o.ref, sort: this.sort, op: this.op })).index;
      } catch (e) {
        if (gen === this.store.generation) this.onRequestError(e);
        return;
      }
      if (gen !== this.store.generation) return;
      if (index < 0 && o.clearIfHidden && this.op !== undefined) {
        this.op = undefined;
        return this.reload({ ...o, clearIfHidden: false });
      }
      if (index < 0 && o.clearIfHidden) {
        this.notice = `The event at ${refText(o.ref)} did not touch this file.`;
      }
    }
    this.selIndex = index;
    this.selRef = index >= 0 ? o.ref : undefined;
    this.pending =
      index >= 0 && o.reveal === 'center'
        ? { index }
        : { top: typeof o.reveal === 'object' ? o.reveal.top : 0 };
    this.focusOnShow = !!o.focus;
    const firstPage =
      index >= 0 && o.reveal === 'center'
        ? Math.floor(index / PAGE_SIZE)
        : typeof o.reveal === 'object'
          ? Math.floor(o.reveal.top / this.rowHeight / PAGE_SIZE)
          : 0;
    this.store.want([firstPage]);
    this.updateSelectionUi();
    this.renderStatus();
    // the selection is known now: save it (and tell the host) even when no scroll follows
    this.saveState();
  }

  /** "Jump to this event" from elsewhere (a chart, the dashboard's slowest calls). */
  private async jump(ref: EventRef, op: string | undefined): Promise<void> {
    this.notice = '';
    const stable = this.shownGen === this.store.generation;
    if (op !== undefined && op !== this.op) {
      this.op = op;
      void this.reload({ ref, reveal: 'center', clearIfHidden: true, focus: true });
      return;
    }
    if (!stable) {
      void this.reload({ ref, reveal: 'center', clearIfHidden: true, focus: true });
      return;
    }
    // Same order and filter: keep the loaded pages and only move the selection.
    const gen = this.store.generation;
    let index: number;
    try {
      index = (await this.host.request({ kind: 'locate', ref, sort: this.sort, op: this.op })).index;
    } catch (e) {
      if (gen === this.store.generation) this.onRequestError(e);
      return;
    }
    if (gen !== this.store.generation) return;
    if (index < 0) {
      if (this.op !== undefined) {
        this.op = undefined;
        void this.reload({ ref, reveal: 'center', focus: true });
      } else {
        this.notice = `The event at ${refText(ref)} did not touch this file.`;
        this.renderStatus();
      }
      return;
    }
    this.selIndex = index;
    this.selRef = ref;
    this.grid.setSelected(index);
    this.grid.reveal(index, 'center');
    this.grid.focus();
    this.updateSelectionUi();
    this.saveState();
  }

  private async fetchPage(start: number, count: number): Promise<PageData<EventRow, OpCount[]>> {
    const page = await this.host.request({ kind: 'eventsPage', start, count, sort: this.sort, op: this.op });
    return { total: page.total, rows: decodeRows(page.rows), meta: page.ops };
  }

  private onPage(data: PageData<EventRow, OpCount[]>): void {
    this.setOps(data.meta);
    const gen = this.store.generation;
    if (this.shownGen !== gen) {
      this.shownGen = gen;
      this.everShown = true;
      // The grid must be laid out (visible) before it can scroll.
      this.updateVisibility(data.total);
      this.grid.setTotal(data.total);
      this.grid.setSelected(this.selIndex);
      this.grid.invalidate();
      const p = this.pending;
      this.pending = undefined;
      if (p && 'index' in p) this.grid.reveal(p.index, 'center');
      else this.grid.scrollTo(p?.top ?? 0);
      if (this.focusOnShow || document.activeElement === document.body) this.grid.focus();
      this.focusOnShow = false;
      this.renderCounts();
      this.renderStatus();
    } else {
      this.grid.refresh();
    }
    if (this.selIndex >= 0 && !this.selRef) {
      const row = this.store.row(this.selIndex);
      if (row) {
        this.selRef = refOf(row);
        this.saveState();
      }
    }
    this.updateSelectionUi();
  }

  private onRequestError(e: unknown): void {
    // A failed parse fails every request; its banner already says why.
    if (this.phase === 'failed') return;
    this.requestError = e instanceof Error ? e.message : String(e);
    this.renderStatus();
  }

  private select(index: number): void {
    if (index < 0 || index >= this.grid.rowCount) return;
    this.selIndex = index;
    const row = this.store.row(index);
    this.selRef = row ? refOf(row) : undefined;
    this.grid.setSelected(index);
    this.endFlash();
    this.updateSelectionUi();
    this.saveState();
  }

  private sortBy(c: Column): void {
    if (!c.sort) return;
    const same = this.sort.column === c.sort;
    this.sort = { column: c.sort, descending: same ? !this.sort.descending : !!c.firstDescending };
    void this.reload({ ref: this.selRef, reveal: this.selRef ? 'center' : 'top' });
  }

  private setFilter(op: string | undefined): void {
    if (op === this.op) return;
    this.op = op;
    this.notice = '';
    void this.reload({ ref: this.selRef, reveal: this.selRef ? 'center' : 'top' });
  }

  private showRawLine(): void {
    if (this.target && this.selRef)
      this.host.send({ type: 'showRawLine', runId: this.target.runId, ref: this.selRef });
  }

  private revealTrace(): void {
    if (this.target && this.selRef)
      this.host.send({ type: 'revealTraceFile', runId: this.target.runId, trace: this.selRef.trace });
  }

  private copyRow(index: number): void {
    const row = this.store.row(index);
    if (!row || !this.target) return;
    this.host.send({ type: 'copyText', text: rowJson(row, this.target.file) });
    this.flash(`Copied row ${fmtCount(index + 1)} as JSON`);
  }

  /** The selection last told to the host (it offers "Show raw line" for it; tests wait on it). */
  private reported: EventRef | null = null;

  private saveState(): void {
    if (!this.target) return;
    const ref = this.selRef ?? null;
    const changed = ref && this.reported ? !sameRef(ref, this.reported) : ref !== this.reported;
    if (changed) {
      this.reported = ref;
      this.host.send({ type: 'selected', ref });
    }
    this.host.saveState({
      runId: this.target.runId,
      file: this.target.file,
      op: this.op,
      sort: this.sort,
      scrollTop: this.grid.scrollTop,
      selected: this.selRef,
      select: this.selRef,
    });
  }

  // ---- rendering ----

  private buildShell(): void {
    const app = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
    clear(app);
    app.removeAttribute('aria-busy');
    const copy = h('vscode-toolbar-button', { icon: 'copy', label: 'Copy path', title: 'Copy path' });
    copy.addEventListener('click', () => {
      if (!this.target) return;
      this.host.send({ type: 'copyText', text: this.target.file });
      this.flash('Copied the file path');
    });
    this.opSelect.addEventListener('change', () => {
      const v = this.opSelect.value;
      this.setFilter(v.startsWith(OP_PREFIX) ? v.slice(OP_PREFIX.length) : undefined);
    });
    this.rawBtn.addEventListener('click', () => this.showRawLine());
    this.revealBtn.addEventListener('click', () => this.revealTrace());
    app.append(
      h(
        'header',
        { class: 'ev-header' },
        h('div', { class: 'ev-title' }, icon('file'), this.pathEl, copy, this.tierEl),
        h('div', { class: 'ev-meta muted' }, this.runEl, this.countEl),
        h(
          'div',
          { class: 'toolbar ev-toolbar' },
          h('label', { class: 'ev-op-label', id: 'ev-op-label' }, icon('filter'), 'Op'),
          this.opSelect,
          h('span', { class: 'ev-spacer' }),
          this.rawBtn,
          this.revealBtn,
        ),
      ),
      this.statusEl,
      this.emptyEl,
      this.grid.el,
      this.footerEl,
    );
    this.grid.el.hidden = true;
    this.emptyEl.hidden = true;
    this.grid.setSort(this.sort);
    this.renderOps();
    this.renderStatus();
  }

  private renderHeader(): void {
    const t = this.target;
    if (!t) return;
    this.pathEl.textContent = t.file || '(events that name no file)';
    this.pathEl.title = t.file;
    this.tierText.textContent = t.tier;
    this.tierEl.dataset.tier = t.tier;
    this.tierDot.style.background = tierCss(t.tier, []);
    this.tierEl.title = `Storage tier: ${t.tier}`;
    this.tierEl.hidden = !t.tier;
    this.runEl.textContent = `Run: ${t.label}`;
    this.runEl.title = t.runId;
    document.title = `Events: ${basename(t.file) || t.file}`;
  }

  private renderCounts(): void {
    const all = this.ops.reduce((s, o) => s + o.count, 0);
    const shown = this.shownGen === this.store.generation ? this.grid.rowCount : undefined;
    if (!this.ops.length && shown === undefined) {
      this.countEl.textContent = '';
      return;
    }
    let text = `${fmtCount(all)} event${all === 1 ? '' : 's'}`;
    if (this.op !== undefined) {
      text += shown === undefined ? ` · filtering to ${this.op}…` : ` · ${fmtCount(shown)} ${this.op}`;
    }
    this.countEl.textContent = text;
  }

  private setOps(ops: OpCount[]): void {
    this.ops = ops;
    this.renderOps();
    this.renderCounts();
  }

  private renderOps(): void {
    const list = [...this.ops];
    if (this.op !== undefined && !list.some((o) => o.op === this.op)) list.push({ op: this.op, count: 0 });
    const value = this.op === undefined ? '' : OP_PREFIX + this.op;
    const key = JSON.stringify(list);
    if (key !== this.opsKey) {
      this.opsKey = key;
      clear(this.opSelect);
      const all = this.ops.reduce((s, o) => s + o.count, 0);
      this.opSelect.append(
        h(
          'option',
          { value: '', selected: value === '' },
          this.ops.length ? `All ops (${fmtCount(all)})` : 'All ops',
        ),
        ...list.map((o) =>
          h(
            'option',
            { value: OP_PREFIX + o.op, selected: value === OP_PREFIX + o.op },
            `${o.op || '(no name)'} (${fmtCount(o.count)})`,
          ),
        ),
      );
    }
    if (this.opSelect.value !== value) this.opSelect.value = value;
  }

  private updateVisibility(total: number): void {
    const empty = total === 0;
    this.grid.el.hidden = empty;
    this.emptyEl.hidden = !empty;
    if (!empty) return;
    clear(this.emptyEl);
    if (this.op !== undefined) {
      const op = this.op;
      this.emptyEl.append(
        h('p', {}, `No ${op} events touched this file. `),
        h('button', { class: 'link', onclick: () => this.setFilter(undefined) }, 'Show all ops'),
      );
    } else {
      this.emptyEl.append(h('p', {}, 'No events touched this file in this run.'));
    }
  }

  private renderStatus(): void {
    clear(this.statusEl);
    if (this.phase === 'failed') {
      this.statusEl.append(
        h(
          'div',
          { class: 'banner error', role: 'alert' },
          icon('error'),
          h('span', {}, `The run could not be loaded: ${this.failure}`),
        ),
      );
      return;
    }
    if (this.phase === 'loading' && this.progress) {
      const p = progressInfo(this.progress);
      const bar = h('div', { class: 'progress' });
      bar.style.width = `${(p.fraction * 100).toFixed(1)}%`;
      this.statusEl.append(
        h(
          'div',
          { class: 'ev-progress' },
          h(
            'div',
            { class: 'loading' },
            icon('loading codicon-modifier-spin'),
            h('span', {}, `Parsing the run… ${p.text}`),
          ),
          h(
            'div',
            {
              class: 'progress-track',
              role: 'progressbar',
              'aria-valuemin': 0,
              'aria-valuemax': 100,
              'aria-valuenow': Math.floor(p.fraction * 100),
            },
            bar,
          ),
        ),
      );
    } else if (this.shownGen !== this.store.generation && !this.everShown && !this.requestError) {
      // Later re-sorts say so in the footer instead, so the grid does not jump down a line and back.
      this.statusEl.append(
        h(
          'div',
          { class: 'loading ev-fetching' },
          icon('loading codicon-modifier-spin'),
          'Collecting the events of this file…',
        ),
      );
    }
    if (this.requestError) {
      this.statusEl.append(
        h(
          'div',
          { class: 'banner error', role: 'alert' },
          icon('error'),
          h('span', {}, `Could not load events: ${this.requestError} `),
          h('button', { class: 'link', onclick: () => this.retry() }, 'Retry'),
        ),
      );
    }
    if (this.notice) {
      this.statusEl.append(
        h(
          'div',
          { class: 'banner info' },
          icon('info'),
          h('span', { class: 'ev-grow' }, this.notice),
          h(
            'button',
            {
              class: 'link',
              'aria-label': 'Dismiss',
              onclick: () => {
                this.notice = '';
                this.renderStatus();
              },
            },
            icon('close'),
          ),
        ),
      );
    }
  }

  private retry(): void {
    this.requestError = '';
    void this.reload({ ref: this.selRef, reveal: this.selRef ? 'center' : { top: this.grid.scrollTop } });
  }

  private updateSelectionUi(): void {
    const has = !!this.selRef;
    this.rawBtn.disabled = !has;
    this.revealBtn.disabled = !has;
    this.renderFooter();
  }

  private renderFooter(): void {
    if (this.flashTimer !== undefined) return;
    clear(this.footerEl);
    if (this.shownGen !== this.store.generation) {
      if (this.everShown && !this.requestError)
        this.footerEl.append(
          h('span', { class: 'loading' }, icon('loading codicon-modifier-spin'), 'Loading rows…'),
        );
      return;
    }
    const total = this.grid.rowCount;
    if (total === 0) return;
    const row = this.selIndex >= 0 ? this.store.row(this.selIndex) : undefined;
    this.footerEl.append(
      h(
        'span',
        {},
        this.selIndex >= 0
          ? `Row ${fmtCount(this.selIndex + 1)} of ${fmtCount(total)}`
          : `${fmtCount(total)} row${total === 1 ? '' : 's'}`,
      ),
    );
    if (row) {
      this.footerEl.append(
        h('span', { class: 'mono', title: row.trace }, `${basename(row.trace)}:${row.line}`),
        h('span', { class: 'ev-keys' }, `Enter: raw line · ${COPY_KEY}: copy as JSON`),
      );
    }
  }

  private endFlash(): void {
    if (this.flashTimer === undefined) return;
    clearTimeout(this.flashTimer);
    this.flashTimer = undefined;
  }

  private flash(text: string): void {
    if (this.flashTimer !== undefined) clearTimeout(this.flashTimer);
    clear(this.footerEl);
    this.footerEl.append(h('span', {}, icon('check'), ` ${text}`));
    this.flashTimer = setTimeout(() => {
      this.flashTimer = undefined;
      this.renderFooter();
    }, 1500);
  }
}

function validSort(s: SortSpec | undefined): SortSpec | undefined {
  return s && SORT_COLUMNS.includes(s.column) ? { column: s.column, descending: !!s.descending } : undefined;
}

const COPY_KEY = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘C' : 'Ctrl+C';

/** Only the trace's index is known for an event that is not in the list (the host sent no name for it). */
function refText(ref: EventRef): string {
  return `trace #${ref.trace} line ${ref.line}`;
}

new EventsApp();
