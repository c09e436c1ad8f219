/**
 * The arithmetic of the virtualized event list, kept free of the DOM so it can be unit-tested: which rows are on
 * screen, which pages they live in, where a row must scroll to, and where a key moves the selection.
 */

/**
 * Chromium stops growing an element at about 33.5M px and Firefox near 17.9M px, so a list taller than this scales
 * its scroll position instead of its spacer (a million 22 px rows would need 22M px).
 */
export const MAX_SCROLL_HEIGHT = 15_000_000;

/** Rows [start, end). */
export interface RowRange {
  start: number;
  end: number;
}

/**
 * Maps the scroll container's real ("physical") scrollTop to the list's "virtual" top, where row i starts at
 * i * rowHeight. The two coincide until the list outgrows `maxHeight`; past that, the physical scroll range is
 * stretched linearly onto the virtual one so the first and last rows stay reachable.
 */
export class ScrollGeometry {
  constructor(
    readonly total: number,
    readonly rowHeight: number,
    /** Height of the part of the viewport that shows rows (without the sticky header). */
    readonly bodyHeight: number,
    readonly maxHeight = MAX_SCROLL_HEIGHT,
  ) {}

  get virtualHeight(): number {
    return Math.max(0, this.total) * this.rowHeight;
  }

  /** Height to give the spacer. */
  get physicalHeight(): number {
    return Math.min(this.virtualHeight, this.maxHeight);
  }

  get maxVirtualTop(): number {
    return Math.max(0, this.virtualHeight - this.bodyHeight);
  }

  get maxPhysicalTop(): number {
    return Math.max(0, this.physicalHeight - this.bodyHeight);
  }

  /** Virtual pixels per physical pixel of scrolling: 1 unless the list is scaled. */
  get ratio(): number {
    const p = this.maxPhysicalTop;
    const v = this.maxVirtualTop;
    return p > 0 && v > p ? v / p : 1;
  }

  toVirtual(physicalTop: number): number {
    return clamp(physicalTop, 0, this.maxPhysicalTop) * this.ratio;
  }

  toPhysical(virtualTop: number): number {
    return clamp(virtualTop, 0, this.maxVirtualTop) / this.ratio;
  }

  /**
   * Where row `index` goes inside the spacer. Unscaled this is index * rowHeight, so the browser's own scrolling
   * moves rows exactly and they need no repositioning per frame.
   */
  rowTop(index: number, physicalTop: number, virtualTop: number): number {
    return physicalTop + index * this.rowHeight - virtualTop;
  }

  /** Rows that intersect the viewport, widened by `overscan` rows on each side. */
  visible(virtualTop: number, overscan = 0): RowRange {
    if (this.total <= 0 || this.rowHeight <= 0) return { start: 0, end: 0 };
    const top = clamp(virtualTop, 0, this.maxVirtualTop);
    const first = Math.floor(top / this.rowHeight);
    const last = Math.ceil((top + Math.max(0, this.bodyHeight)) / this.rowHeight);
    return {
      start: clamp(first - overscan, 0, this.total),
      end: clamp(Math.max(last, first + 1) + overscan, 0, this.total),
    };
  }

  /** Whole rows that fit in the viewport (what PageUp/PageDown move by). */
  get rowsPerPage(): number {
    return Math.max(1, Math.floor(this.bodyHeight / this.rowHeight));
  }

  /**
   * The virtual top that shows row `index`: 'nearest' scrolls only as far as needed (arrow keys), 'center' puts the
   * row in the middle (jumps from elsewhere, where context around the event matters).
   */
  reveal(index: number, virtualTop: number, mode: 'nearest' | 'center'): number {
    if (this.total <= 0) return 0;
    const i = clamp(index, 0, this.total - 1);
    const y = i * this.rowHeight;
    let top = virtualTop;
    if (mode === 'center') top = y + this.rowHeight / 2 - this.bodyHeight / 2;
    else if (y < virtualTop) top = y;
    else if (y + this.rowHeight > virtualTop + this.bodyHeight) top = y + this.rowHeight - this.bodyHeight;
    return clamp(top, 0, this.maxVirtualTop);
  }
}

/** The pages (of `pageSize` rows) that hold the rows of a range, in order. */
export function pageKeys(range: RowRange, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const keys: number[] = [];
  for (let p = Math.floor(range.start / pageSize); p <= Math.floor((range.end - 1) / pageSize); p++)
    keys.push(p);
  return keys;
}

export type NavKey = 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

export function isNavKey(key: string): key is NavKey {
  return (
    key === 'ArrowUp' ||
    key === 'ArrowDown' ||
    key === 'PageUp' ||
    key === 'PageDown' ||
    key === 'Home' ||
    key === 'End'
  );
}

/**
 * The row a key selects, from `current` (-1: nothing selected yet, then the first key lands on `firstVisible`,
 * as in VS Code's lists).
 */
export function navigate(
  key: NavKey,
  current: number,
  total: number,
  rowsPerPage: number,
  firstVisible = 0,
): number {
  if (total <= 0) return -1;
  const last = total - 1;
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (current < 0) return clamp(firstVisible, 0, last);
  const step = Math.max(1, rowsPerPage - 1);
  switch (key) {
    case 'ArrowUp':
      return clamp(current - 1, 0, last);
    case 'ArrowDown':
      return clamp(current + 1, 0, last);
    case 'PageUp':
      return clamp(current - step, 0, last);
    case 'PageDown':
      return clamp(current + step, 0, last);
  }
}

/** A Map that forgets its least recently used entries beyond `capacity`. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Marks the entry as recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Reads without changing the order (for lookups done on every rendered row). */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }

  keys(): K[] {
    return [...this.map.keys()];
  }
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
