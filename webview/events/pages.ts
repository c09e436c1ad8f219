import { Lru } from './virtual';

/** One page as the host answered it. */
export interface PageData<R, M> {
  /** Rows matching the filter, in all. */
  total: number;
  rows: R[];
  meta: M;
}

export interface PageStoreOptions<R, M> {
  pageSize: number;
  /** Pages kept in memory; must exceed the pages one screen spans. */
  maxPages: number;
  /** Requests outstanding at once; more wanted pages queue, and drop out if they scroll away before their turn. */
  maxInFlight: number;
  fetch(start: number, count: number): Promise<PageData<R, M>>;
  /** A page of the current generation arrived. */
  onPage(page: number, data: PageData<R, M>): void;
  /** A request of the current generation failed; its page is not asked again until `retry()`. */
  onError(error: Error): void;
}

/**
 * The rows of one order and filter, fetched page by page as the list scrolls. The host cannot cancel a request,
 * so every change of order or filter starts a new generation, and replies to older generations are dropped when
 * they arrive.
 */
export class PageStore<R, M> {
  private gen = 0;
  private readonly cache: Lru<number, R[]>;
  private inFlight = new Set<number>();
  private failed = new Set<number>();
  private queue: number[] = [];
  private wanted = new Set<number>();
  /** Total rows of the current generation, once a page of it has arrived. */
  total: number | undefined;

  constructor(private readonly o: PageStoreOptions<R, M>) {
    this.cache = new Lru(o.maxPages);
  }

  get generation(): number {
    return this.gen;
  }

  get pageSize(): number {
    return this.o.pageSize;
  }

  /** Forgets every page; returns the new generation. */
  reset(): number {
    this.gen++;
    this.cache.clear();
    this.inFlight = new Set();
    this.failed = new Set();
    this.queue = [];
    this.wanted = new Set();
    this.total = undefined;
    return this.gen;
  }

  row(index: number): R | undefined {
    const page = this.cache.peek(Math.floor(index / this.o.pageSize));
    return page?.[index % this.o.pageSize];
  }

  hasPage(page: number): boolean {
    return this.cache.has(page);
  }

  /** The pages now on screen, most important first; the rest of the queue is dropped. */
  want(pages: number[]): void {
    this.wanted = new Set(pages);
    for (const p of pages) this.cache.get(p); // keep what is on screen from being evicted
    this.queue = pages.filter((p) => !this.cache.has(p) && !this.inFlight.has(p) && !this.failed.has(p));
    this.pump();
  }

  /** Asks again for pages that failed (after the user pressed Retry). */
  retry(): void {
    this.failed.clear();
    this.want([...this.wanted]);
  }

  get pending(): number {
    return this.inFlight.size + this.queue.length;
  }

  private pump(): void {
    while (this.inFlight.size < this.o.maxInFlight && this.queue.length > 0) {
      const page = this.queue.shift() as number;
      if (!this.wanted.has(page) || this.cache.has(page) || this.inFlight.has(page)) continue;
      this.load(page);
    }
  }

  private load(page: number): void {
    const gen = this.gen;
    const inFlight = this.inFlight;
    inFlight.add(page);
    this.o.fetch(page * this.o.pageSize, this.o.pageSize).then(
      (data) => {
        inFlight.delete(page);
        if (gen !== this.gen) return;
        this.total = data.total;
        this.cache.set(page, data.rows);
        this.o.onPage(page, data);
        this.pump();
      },
      (e: unknown) => {
        inFlight.delete(page);
        if (gen !== this.gen) return;
        this.failed.add(page);
        this.o.onError(e instanceof Error ? e : new Error(String(e)));
        this.pump();
      },
    );
  }
}
