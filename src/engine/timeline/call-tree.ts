import type { TimelineStore } from './store';

/**
 * A call tree aggregated by path of names (the shape a flame graph or icicle draws): node 0 is the root; each
 * node's events are the calls with that chain of callers. `totalUs` sums the calls' durations, `selfUs` the part
 * of them not spent in their direct children.
 */
export interface CallTree {
  parent: Int32Array;
  name: string[];
  count: Float64Array;
  totalUs: Float64Array;
  selfUs: Float64Array;
  depth: Uint16Array;
  /** How parents were found: from `args.p_idx` (2024-06 on), from time containment, or both. */
  source: 'p_idx' | 'containment' | 'mixed' | 'none';
}

/**
 * The parent row of every row (-1 for roots). Events that carry `args.p_idx` name their parent by id within
 * their trace file and process; the others get the innermost event of their thread that contains them in time.
 */
export function parentRows(s: TimelineStore): { parent: Int32Array; byIdx: number; byTime: number } {
  const n = s.length;
  const parent = new Int32Array(n).fill(-1);
  // ids are unique within one trace file and process
  const scopeIds = new Map<string, number>();
  const scopes: Map<number, number>[] = [];
  const scopeOf = new Uint32Array(n);
  let withIdx = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || s.trace[i] !== s.trace[i - 1] || s.pid[i] !== s.pid[i - 1]) {
      const key = `${s.trace[i]}:${s.pid[i]}`;
      let k = scopeIds.get(key);
      if (k === undefined) {
        scopeIds.set(key, (k = scopes.length));
        scopes.push(new Map());
      }
      scopeOf[i] = k;
    } else scopeOf[i] = scopeOf[i - 1];
    if (!Number.isNaN(s.id[i])) scopes[scopeOf[i]].set(s.id[i], i);
    if (!Number.isNaN(s.pIdx[i])) withIdx++;
  }
  let byTime = 0;
  const stack: number[] = [];
  for (let k = 0; k < s.lanes.length; k++) {
    stack.length = 0;
    for (let q = s.laneStart[k]; q < s.laneStart[k + 1]; q++) {
      const r = s.order[q];
      const end = s.ts[r] + s.dur[r];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (s.ts[top] + s.dur[top] >= end) break;
        stack.pop();
      }
      if (Number.isNaN(s.pIdx[r]) && stack.length > 0) {
        parent[r] = stack[stack.length - 1];
        byTime++;
      }
      stack.push(r);
    }
  }
  for (let i = 0; i < n; i++) {
    const p = s.pIdx[i];
    if (Number.isNaN(p) || p < 0) continue;
    const j = scopes[scopeOf[i]].get(p);
    if (j !== undefined && j !== i) parent[i] = j;
  }
  return { parent, byIdx: withIdx, byTime };
}

/** Aggregates the rows with include[row] == 1 (all rows when absent) into a call tree. */
export function callTree(s: TimelineStore, include?: Uint8Array, parents = parentRows(s)): CallTree {
  const { parent } = parents;
  const n = s.length;
  const childDur = new Float64Array(n);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) childDur[parent[i]] += s.dur[i];
  const nodeParent: number[] = [-1];
  const nodeName: string[] = ['all'];
  const nodeDepth: number[] = [0];
  const children = new Map<number, number>();
  const nodeOf = new Int32Array(n).fill(-1);
  const chain: number[] = [];
  const resolve = (row: number): number => {
    chain.length = 0;
    let r = row;
    // walk up to a resolved ancestor or a root; a cycle in bad data stops the walk
    while (r >= 0 && nodeOf[r] < 0 && chain.length <= n) {
      chain.push(r);
      r = parent[r];
    }
    let node = r >= 0 && nodeOf[r] >= 0 ? nodeOf[r] : 0;
    for (let j = chain.length - 1; j >= 0; j--) {
      const c = chain[j];
      const key = node * 65536 + s.op[c];
      let child = children.get(key);
      if (child === undefined) {
        child = nodeName.length;
        children.set(key, child);
        nodeParent.push(node);
        nodeName.push(s.opNames[s.op[c]]);
        nodeDepth.push(nodeDepth[node] + 1);
      }
      nodeOf[c] = child;
      node = child;
    }
    return nodeOf[row];
  };
  const m0 = () => nodeName.length;
  const count: number[] = [];
  const total: number[] = [];
  const self: number[] = [];
  for (let i = 0; i < n; i++) {
    if (include && !include[i]) continue;
    const node = resolve(i);
    while (count.length < m0()) {
      count.push(0);
      total.push(0);
      self.push(0);
    }
    count[node]++;
    total[node] += s.dur[i];
    self[node] += Math.max(0, s.dur[i] - childDur[i]);
  }
  const m = nodeName.length;
  while (count.length < m) {
    count.push(0);
    total.push(0);
    self.push(0);
  }
  // the root holds the roots' totals; an ancestor outside the selection spans its included descendants
  const totalUs = Float64Array.from(total);
  const countF = Float64Array.from(count);
  const inclusive = Float64Array.from(totalUs);
  const childSum = new Float64Array(m);
  // children come after their parents: one pass from the end sees every child before its parent
  for (let v = m - 1; v >= 1; v--) {
    if (countF[v] === 0) inclusive[v] = childSum[v];
    childSum[nodeParent[v]] += inclusive[v];
  }
  inclusive[0] = childSum[0];
  const source =
    parents.byIdx > 0 && parents.byTime > 0
      ? 'mixed'
      : parents.byIdx > 0
        ? 'p_idx'
        : parents.byTime > 0
          ? 'containment'
          : 'none';
  return {
    parent: Int32Array.from(nodeParent),
    name: nodeName,
    count: countF,
    totalUs: inclusive,
    selfUs: Float64Array.from(self),
    depth: Uint16Array.from(nodeDepth),
    source,
  };
}
