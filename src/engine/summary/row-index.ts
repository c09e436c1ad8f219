/**
 * Rows by (file, cat, op), in the order they were first set. Looked up level by level rather than by one joined key:
 * a row's names arrive as fresh strings (every summary a worker sends brings its own copies), and a joined key
 * meant building, flattening and hashing a new string for each of hundreds of thousands of rows.
 */
export class RowIndex<T> {
  private readonly byFile = new Map<string, Map<string, Map<string, T>>>();
  private readonly order: T[] = [];

  get(file: string, cat: string, op: string): T | undefined {
    return this.byFile.get(file)?.get(cat)?.get(op);
  }

  /** Adds a row for a key that has none (see get). */
  add(file: string, cat: string, op: string, row: T): void {
    let byCat = this.byFile.get(file);
    if (!byCat) this.byFile.set(file, (byCat = new Map()));
    let byOp = byCat.get(cat);
    if (!byOp) byCat.set(cat, (byOp = new Map()));
    byOp.set(op, row);
    this.order.push(row);
  }

  get size(): number {
    return this.order.length;
  }

  /** The rows in the order they were added. */
  values(): T[] {
    return this.order;
  }
}
