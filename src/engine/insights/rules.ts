// The insight rules, each a pure function over a run's facts (and a baseline's, for the one rule that needs it).
// Definitions and thresholds are the ("Insights: say what is wrong with a run"), documented in the README.
import { fmtBytes, fmtUs } from '../format';
import { IoKind, ioKind } from '../model/io-ops';
import { inside, traceFileOps } from '../compare/metrics';
import { IoField, ioField, MIB } from '../summary/io-stats';
import type { RunOpRow } from '../summary/run-summary';
import { DEFAULT_SPAN_PATTERN } from '../summary/scan-file';
import { ev, fmtValue, isIoCat, isScrPath, nearestRank, nearestRankOf, pct, type RunFacts } from './facts';
import type { Evidence, Finding, InsightThresholds, RuleId, Severity } from './types';

export type RuleResult =
  | { kind: 'fired'; finding: Finding }
  | { kind: 'passed'; evidence: Evidence[] }
  | { kind: 'notEvaluated'; reason: string };

export interface RuleContext {
  run: RunFacts;
  baseline?: RunFacts;
  t: InsightThresholds;
}

export interface Rule {
  id: RuleId;
  severity: Severity;
  title: string;
  judge(c: RuleContext): RuleResult;
}

const NO_ARGS =
  'the trace was recorded without args (DFTRACER_INC_METADATA=1 not set): it has no sizes, offsets or file names';
const NOT_SCR =
  'not an SCR run (no accessed path contains scr.defjobid, scr.dataset or /.scr/, none ends in .scr)';
const NO_IO = 'the trace has no POSIX or STDIO events';

const passed = (evidence: Evidence[]): RuleResult => ({ kind: 'passed', evidence });
const notEvaluated = (reason: string): RuleResult => ({ kind: 'notEvaluated', reason });

function fired(
  rule: Rule,
  f: Omit<Finding, 'id' | 'severity' | 'title'> & { title?: string; severity?: Severity },
): RuleResult {
  return {
    kind: 'fired',
    finding: { ...f, id: rule.id, severity: f.severity ?? rule.severity, title: f.title ?? rule.title },
  };
}

/** Bytes written to SCR's cache datasets (`scr.dataset.<N>` paths outside the PFS tier). */
function cachedDatasetBytes(run: RunFacts): number {
  let bytes = 0;
  for (const row of run.run.ops)
    if (isWriteRow(row) && row.file.includes('scr.dataset') && run.tier(row.file) !== run.pfs)
      bytes += row.bytes;
  return bytes;
}

const isData = (row: RunOpRow) => isIoCat(row.cat) && ioKind(row.op) !== IoKind.Other;
const isWriteRow = (row: RunOpRow) => isIoCat(row.cat) && ioKind(row.op) === IoKind.Write;

function smallIo(id: 'small-writes' | 'small-reads'): Rule {
  const writes = id === 'small-writes';
  const noun = writes ? 'writes' : 'reads';
  const rule: Rule = {
    id,
    severity: 'high',
    title: `Many small ${noun} (< 1 MiB)`,
    judge({ run, t }) {
      if (run.ioEvents === 0) return notEvaluated(NO_IO);
      if (!run.hasArgs) return notEvaluated(NO_ARGS);
      const all = run.ioSum(writes ? IoField.Writes : IoField.Reads);
      const sized = run.ioSum(writes ? IoField.WritesSized : IoField.ReadsSized);
      const small = run.ioSum(writes ? IoField.WritesUnder1M : IoField.ReadsUnder1M);
      if (all > 0 && sized === 0) return notEvaluated(`no ${noun.slice(0, -1)} recorded its size (args.ret)`);
      const share = pct(small, sized);
      const evidence = [
        ev(noun, `${noun} with a recorded size`, sized, 'count'),
        ev('small', `${noun} < 1 MiB`, small, 'count'),
        ev('share', `share of ${noun} < 1 MiB`, share, 'percent'),
      ];
      if (sized < all)
        evidence.push(ev('unsized', `${noun} without a recorded size (not counted)`, all - sized, 'count'));
      const fire = small * 100 > t['smallIo.percent'] * sized && small > t['smallIo.minCount'];
      if (!fire) return passed(evidence);
      const io = run.run.io;
      let worst = -1;
      let files = 0;
      const field = writes ? IoField.WritesUnder1M : IoField.ReadsUnder1M;
      for (let i = 0; i < io.files.length; i++) {
        if (ioField(io, i, field) > 0) files++;
        if (worst < 0 || ioField(io, i, field) > ioField(io, worst, field)) worst = i;
      }
      evidence.push(ev('files', `files with small ${noun}`, files, 'count'));
      if (worst >= 0)
        evidence.push(
          ev(
            'topFile',
            `file with most small ${noun}`,
            null,
            'text',
            `${io.files[worst]} (${fmtValue(ioField(io, worst, field), 'count')})`,
          ),
        );
      return fired(rule, {
        evidence,
        recommendation:
          `${fmtValue(share, 'percent')} of ${noun} move less than 1 MiB. Aggregate them into requests of 1 MiB or ` +
          `more: buffer in the application (larger chunks per call), use collective I/O (MPI-IO two-phase ` +
          `aggregation) or a library that buffers (HDF5, ADIOS2). ` +
          (writes
            ? 'For checkpoints, serialize to memory and write each file in a few large calls.'
            : 'For training data, read whole samples or shards per call and pack small samples into larger files.'),
        examples: run.slowCalls(
          (row) => isIoCat(row.cat) && ioKind(row.op) === (writes ? IoKind.Write : IoKind.Read),
          (c) => c.bytes < MIB,
        ),
      });
    },
  };
  return rule;
}

const metadataHeavy: Rule = {
  id: 'metadata-heavy',
  severity: 'high',
  title: 'Metadata operations take most of the I/O time',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    let meta = 0;
    let all = 0;
    const byOp = new Map<string, number>();
    for (const row of run.run.ops) {
      if (!isIoCat(row.cat)) continue;
      all += row.durUs;
      if (ioKind(row.op) !== IoKind.Other) continue;
      meta += row.durUs;
      byOp.set(row.op, (byOp.get(row.op) ?? 0) + row.durUs);
    }
    const share = pct(meta, all);
    const top = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const evidence = [
      ev('metadataTime', 'metadata time (POSIX/STDIO ops other than reads and writes)', meta, 'us'),
      ev('ioTime', 'POSIX + STDIO time', all, 'us'),
      ev('share', 'metadata share of I/O time', share, 'percent'),
      ev(
        'topOps',
        'costliest metadata ops',
        null,
        'text',
        top.map(([op, us]) => `${op} ${fmtUs(us)}`).join(', ') || '-',
      ),
    ];
    const fire = meta * 100 >= t['metadata.percent'] * all && meta >= t['metadata.minSeconds'] * 1e6;
    if (!fire) return passed(evidence);
    const syncUs = [...byOp].reduce(
      (a, [op, us]) => a + (/^(fsync|fdatasync|sync|msync)$/.test(op) ? us : 0),
      0,
    );
    const syncFirst = syncUs * 2 >= meta;
    return fired(metadataHeavy, {
      evidence,
      recommendation:
        `Metadata calls (${top.map(([op]) => op).join(', ')}) take ${fmtValue(share, 'percent')} of I/O time. ` +
        (syncFirst
          ? `Most of it (${fmtUs(syncUs)}) is fsync and its kin, which wait until written data reaches storage: ` +
            'write time in disguise. Sync once per file when it is complete rather than after every write, and ' +
            'keep the wait off the critical path (write to fast local storage first and flush asynchronously).'
          : 'Open each file once and keep it open, avoid stat/lseek/access before every read, list directories ' +
            'once, and pack many small files into fewer large ones (e.g. TFRecord, HDF5, WebDataset shards); on ' +
            'Lustre, small files benefit from Data-on-MDT and fewer stripes.'),
      examples: run.slowCalls((row) => isIoCat(row.cat) && ioKind(row.op) === IoKind.Other),
    });
  },
};

const rankImbalance: Rule = {
  id: 'rank-imbalance',
  severity: 'warn',
  title: 'One process spends far longer in data I/O than the others',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    const procs = run.run.processes.filter((p) => p.dataOpUs > 0);
    if (procs.length < 2)
      return notEvaluated(`${procs.length} process(es) with data operations; the rule needs 2`);
    const median = nearestRankOf(
      procs.map((p) => p.dataOpUs),
      50,
    );
    const worst = procs.reduce((a, b) => (b.dataOpUs > a.dataOpUs ? b : a));
    const ratio = median > 0 ? worst.dataOpUs / median : Infinity;
    const evidence = [
      ev('processes', 'processes with data operations', procs.length, 'count'),
      ev('median', 'median data-op time per process', median, 'us'),
      ev('max', 'largest data-op time of a process', worst.dataOpUs, 'us'),
      ev('ratio', 'largest ÷ median', ratio, 'ratio'),
      ev('worst', 'that process', null, 'text', `pid ${worst.pid} (${run.traceName(worst.trace)})`),
    ];
    const fire =
      worst.dataOpUs >= t['rankImbalance.ratio'] * median &&
      worst.dataOpUs >= t['rankImbalance.minSeconds'] * 1e6;
    if (!fire) return passed(evidence);
    return fired(rankImbalance, {
      evidence,
      recommendation:
        `pid ${worst.pid} spent ${fmtUs(worst.dataOpUs)} in reads and writes, ${fmtValue(ratio, 'ratio')} the median ` +
        'process: every other rank waits for it at the next collective. Give ranks equal shares of data (shard ' +
        'sizes, samples per rank), check that process’s node and storage targets for contention, or aggregate I/O ' +
        'through fewer, balanced writers (MPI-IO collective buffering).',
      examples: run.slowCalls(
        (row) => isData(row) && row.traces.includes(worst.trace),
        (c) => c.trace === worst.trace && c.pid === worst.pid,
      ),
    });
  },
};

const stdioHeavy: Rule = {
  id: 'stdio-heavy',
  severity: 'warn',
  title: 'Bulk data moves through STDIO (fread/fwrite)',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    if (!run.hasArgs) return notEvaluated(NO_ARGS);
    let all = 0;
    let stdio = 0;
    for (const g of run.opGroups()) {
      if (g.kind === IoKind.Other) continue;
      all += g.bytes;
      if (g.cat === 'STDIO') stdio += g.bytes;
    }
    const share = pct(stdio, all);
    const evidence = [
      ev('stdioBytes', 'STDIO data bytes', stdio, 'bytes'),
      ev('dataBytes', 'all data bytes (POSIX + STDIO)', all, 'bytes'),
      ev('share', 'STDIO share', share, 'percent'),
    ];
    const fire = stdio * 100 > t['stdio.percent'] * all && stdio >= t['stdio.minBytes'];
    if (!fire) return passed(evidence);
    return fired(stdioHeavy, {
      evidence,
      recommendation:
        `${fmtValue(share, 'percent')} of the data (${fmtBytes(stdio)}) goes through fread/fwrite, whose small ` +
        'internal buffer splits it into many calls. Use POSIX read/write with large requests, MPI-IO, or HDF5/ADIOS2 ' +
        'for bulk data; where STDIO stays, enlarge its buffer with setvbuf.',
      examples: run.slowCalls((row) => row.cat === 'STDIO' && isData(row)),
    });
  },
};

const slowWriteTail: Rule = {
  id: 'slow-write-tail',
  severity: 'warn',
  title: 'A tail of writes is far slower than the typical write',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    const hist = run.run.io.writeDurs;
    let n = 0;
    for (let i = 1; i < hist.length; i += 2) n += hist[i];
    const p50 = nearestRank(hist, 50);
    const p99 = nearestRank(hist, 99);
    const evidence = [
      ev('writes', 'writes', n, 'count'),
      ev('p50', 'median write duration (nearest rank)', p50, 'us'),
      ev('p99', 'p99 write duration (nearest rank)', p99, 'us'),
      ev('ratio', 'p99 ÷ median', p50 > 0 ? p99 / p50 : n > 0 ? Infinity : NaN, 'ratio'),
    ];
    const fire = n >= t['slowWriteTail.minWrites'] && p99 > t['slowWriteTail.ratio'] * p50;
    if (!fire) return passed(evidence);
    let tailUs = 0;
    let tailN = 0;
    for (let i = 0; i < hist.length; i += 2)
      if (hist[i] >= p99) {
        tailUs += hist[i] * hist[i + 1];
        tailN += hist[i + 1];
      }
    evidence.push(ev('tailTime', `time in the ${tailN} writes at or above p99`, tailUs, 'us'));
    return fired(slowWriteTail, {
      evidence,
      recommendation:
        `1% of writes take ${fmtUs(p99)} or more against a median of ${fmtUs(p50)}. Look at the example writes: ` +
        'a tail like this usually means contention on the target (a busy OST or cache device, many ranks on one ' +
        'file), synchronous flushes (fsync, close) landing on a few calls, or requests that are unaligned with the ' +
        'file system’s stripe or block size.',
      examples: run.slowCalls(isWriteRow),
    });
  },
};

function checkpointMatcher(run: RunFacts): (s: { name: string; cat: string }) => boolean {
  const p = run.opts.checkpointPattern ?? DEFAULT_SPAN_PATTERN;
  const re = new RegExp(p.name);
  const cats = new Set(p.cats);
  return (s) => cats.has(s.cat) || re.test(s.name);
}

const checkpointShare: Rule = {
  id: 'checkpoint-share',
  severity: 'info',
  title: 'Checkpointing takes a large share of the run',
  judge({ run, t }) {
    if (run.spans().size === 0)
      return notEvaluated(
        'no checkpoint events (names or categories of the dftrace.checkpoint settings) in the trace',
      );
    const { wallUs, checkpointUs } = run.compareFigures();
    const share = pct(checkpointUs, wallUs);
    const evidence = [
      ev('checkpointTime', 'checkpoint time (max over processes, as in Compare)', checkpointUs, 'us'),
      ev('wallTime', 'wall time (last event end − first event start)', wallUs, 'us'),
      ev('share', 'checkpoint share of wall time', share, 'percent'),
    ];
    if (!(checkpointUs * 100 >= t['checkpointShare.percent'] * wallUs)) return passed(evidence);
    const matches = checkpointMatcher(run);
    const spans = run.run.spans
      .filter(matches)
      .sort((a, b) => b.dur - a.dur || a.trace - b.trace || a.line - b.line);
    return fired(checkpointShare, {
      evidence,
      recommendation:
        `The slowest process spent ${fmtValue(share, 'percent')} of the run checkpointing. Checkpoint less often, ` +
        'overlap checkpoints with compute (asynchronous checkpointing: write to node-local storage, then flush in ' +
        'the background), or make each checkpoint smaller.',
      examples: spans.slice(0, 5).map((s) =>
        run.example({
          trace: s.trace,
          line: s.line,
          offset: s.offset,
          file: '',
          op: s.name,
          dur: s.dur,
          bytes: 0,
        }),
      ),
    });
  },
};

/** PFS-tier write time of an SCR run inside and outside its checkpoint spans, per trace file (sample-weighted). */
function pfsFlushSplit(run: RunFacts): {
  inside: number[];
  total: number;
  insideAll: number;
  rows: Set<number>;
  approximate: boolean;
} {
  const w = run.run.writes;
  const spans = run.spans();
  const isPfs = w.files.map((f) => run.tier(f) === run.pfs);
  const writesPerTrace = traceFileOps(run.run).map((rows) =>
    rows.reduce((a, r) => a + (isIoCat(r.cat) && ioKind(r.op) === IoKind.Write ? r.count : 0), 0),
  );
  const kept = new Array<number>(run.run.files.length).fill(0);
  for (let i = 0; i < w.length; i++) kept[w.trace?.[i] ?? 0]++;
  const weight = kept.map((k, trace) => (k > 0 && k < writesPerTrace[trace] ? writesPerTrace[trace] / k : 1));
  const insideByTrace = new Array<number>(run.run.files.length).fill(0);
  const rows = new Set<number>();
  let total = 0;
  let insideAll = 0;
  for (let i = 0; i < w.length; i++) {
    if (!isPfs[w.file[i]]) continue;
    const trace = w.trace?.[i] ?? 0;
    const d = w.dur[i] * weight[trace];
    total += d;
    if (inside(spans.get(`${trace}/${w.pid[i]}/${w.tid[i]}`)?.merged, w.ts[i])) {
      insideByTrace[trace] += d;
      insideAll += d;
      rows.add(i);
    }
  }
  return { inside: insideByTrace, total, insideAll, rows, approximate: weight.some((x) => x > 1) };
}

function scrPreconditions(run: RunFacts): string | undefined {
  if (!run.scr) return NOT_SCR;
  if (!run.pfsConfigured) return `no storage tier is labelled ${run.pfs} (setting dftrace.storageTiers)`;
  return undefined;
}

const scrSyncFlush: Rule = {
  id: 'scr-sync-flush',
  severity: 'high',
  title: 'SCR flushes to the parallel file system inside the checkpoint (synchronously)',
  judge({ run, t }) {
    const pre = scrPreconditions(run);
    if (pre) return notEvaluated(pre);
    if (run.spans().size === 0)
      return notEvaluated(
        'no checkpoint events in the trace: cannot tell whether the flush happens inside them',
      );
    const split = pfsFlushSplit(run);
    const share = pct(split.insideAll, split.total);
    const perProcessMax = Math.max(0, ...split.inside);
    const evidence = [
      ev('pfsWriteTime', `${run.pfs}-tier write time`, split.total, 'us'),
      ev(
        'insideTime',
        `${run.pfs}-tier write time inside checkpoint events of the same pid and tid`,
        split.insideAll,
        'us',
      ),
      ev('share', 'share inside checkpoints', share, 'percent'),
      ev('perProcessMax', 'largest per-process write time inside checkpoints', perProcessMax, 'us'),
    ];
    if (split.approximate)
      evidence.push(
        ev('sampled', 'estimated from', null, 'text', `an even sample of ${run.run.writes.length} writes`),
      );
    if (!(split.total > 0 && split.insideAll * 100 >= t['scrSyncFlush.percent'] * split.total))
      return passed(evidence);
    const { checkpointUs } = run.compareFigures();
    const cached = cachedDatasetBytes(run);
    evidence.push(
      ev('cachedBytes', 'checkpoint data written to SCR’s cache (scr.dataset.* files)', cached, 'bytes'),
    );
    return fired(scrSyncFlush, {
      evidence,
      approximate: split.approximate || undefined,
      recommendation:
        `${fmtValue(share, 'percent')} of the ${run.pfs} write time (${fmtUs(split.insideAll)}) happens inside ` +
        'checkpoint events of the writing thread: the application waits for it. ' +
        (cached > 0
          ? 'Set SCR_FLUSH_ASYNC=1 (default 0) with SCR_FLUSH_TYPE=PTHREAD (default SYNC) so SCR’s flush from the ' +
            'cache runs in a background thread after the checkpoint returns. '
          : 'No checkpoint data went through SCR’s cache (cache bypass: SCR_CACHE_BYPASS=1), so there is no flush ' +
            'to make asynchronous yet: write to the cache (SCR_CACHE_BYPASS=0, on storage faster than the ' +
            'parallel file system) and set SCR_FLUSH_ASYNC=1 (default 0) with SCR_FLUSH_TYPE=PTHREAD (default ' +
            'SYNC) so the copy to the parallel file system runs in a background thread. ') +
        `That takes up to ${fmtUs(perProcessMax)} off the slowest process’s checkpoint time` +
        (Number.isFinite(checkpointUs) && checkpointUs > 0
          ? ` (now ${fmtUs(checkpointUs)}, max over processes)`
          : '') +
        `, and ${fmtUs(split.insideAll)} of waiting across all processes; the flush then overlaps compute and must ` +
        'finish before the next flush starts.',
      examples: run.writeExamples((i) => split.rows.has(i)),
    });
  },
};

const scrSmallCopyBuffer: Rule = {
  id: 'scr-small-copy-buffer',
  severity: 'warn',
  title: 'SCR copies checkpoints to the parallel file system in small pieces',
  judge({ run, t }) {
    const pre = scrPreconditions(run);
    if (pre) return notEvaluated(pre);
    if (!run.hasArgs) return notEvaluated(NO_ARGS);
    const isPfs = (f: string) => run.tier(f) === run.pfs;
    const writes = run.ioSum(IoField.WritesSized, isPfs);
    const small = run.ioSum(IoField.WritesUnder1M, isPfs) + run.ioSum(IoField.WritesExactly1M, isPfs);
    const share = pct(small, writes);
    const evidence = [
      ev('pfsWrites', `${run.pfs}-tier writes (with a recorded size)`, writes, 'count'),
      ev('small', 'of which ≤ 1 MiB', small, 'count'),
      ev('share', 'share ≤ 1 MiB', share, 'percent'),
    ];
    const fire =
      writes >= t['scrSmallCopyBuffer.minWrites'] && small * 100 >= t['scrSmallCopyBuffer.percent'] * writes;
    if (!fire) return passed(evidence);
    // the sizes of the checkpoint files flushed (SCR's own small control files aside)
    const perFile = new Map<string, number>();
    for (const row of run.run.ops)
      if (isWriteRow(row) && isPfs(row.file) && !isScrPath(row.file))
        perFile.set(row.file, (perFile.get(row.file) ?? 0) + row.bytes);
    const sizes = [...perFile.values()].filter((b) => b > 0);
    const largest = Math.max(0, ...sizes);
    const typical = nearestRankOf(sizes, 50);
    evidence.push(
      ev('files', `checkpoint files written to ${run.pfs}`, sizes.length, 'count'),
      ev('typicalFile', 'median bytes written per file', typical, 'bytes'),
      ev('largestFile', 'largest bytes written to one file', largest, 'bytes'),
    );
    const suggested = Math.ceil(largest / MIB) * MIB;
    return fired(scrSmallCopyBuffer, {
      evidence,
      recommendation:
        `${fmtValue(share, 'percent')} of the ${writes} writes to ${run.pfs} are 1 MiB or less: SCR copies each file ` +
        'from its cache to the parallel file system in chunks of SCR_FILE_BUF_SIZE bytes (1 MiB in SCR’s ' +
        'documented defaults; check your build). ' +
        (largest > 0
          ? `The files flushed are ${fmtBytes(typical)} typically and ${fmtBytes(largest)} at most: set ` +
            `SCR_FILE_BUF_SIZE=${suggested} (${fmtBytes(suggested)}) so each file goes in one or a few large writes. ` +
            'Each flushing process allocates a buffer of that size.'
          : 'Raise SCR_FILE_BUF_SIZE towards the size of the checkpoint files (each flushing process allocates one ' +
            'buffer of that size).'),
      examples: run.writeExamples((i) => {
        const w = run.run.writes;
        return isPfs(w.files[w.file[i]]) && w.bytes[i] <= MIB;
      }),
    });
  },
};

/** Write bytes and time per tier side (PFS or not) of a run, over POSIX/STDIO write calls. */
function writeBandwidth(run: RunFacts, pfs: boolean): { bytes: number; us: number; tiers: Set<string> } {
  let bytes = 0;
  let us = 0;
  const tiers = new Set<string>();
  for (const row of run.run.ops) {
    if (!isWriteRow(row)) continue;
    const tier = run.tier(row.file);
    if ((tier === run.pfs) !== pfs) continue;
    bytes += row.bytes;
    us += row.durUs;
    if (row.count > 0) tiers.add(tier);
  }
  return { bytes, us, tiers };
}

const scrCacheSlower: Rule = {
  id: 'scr-cache-slower-than-pfs',
  severity: 'high',
  title: 'SCR’s cache is slower to write than the parallel file system',
  judge({ run, baseline }) {
    const pre = scrPreconditions(run);
    if (pre) return notEvaluated(pre);
    if (!baseline)
      return notEvaluated('needs a baseline run (Compare with Baseline, or dftrace insights --baseline)');
    if (!run.hasArgs || !baseline.hasArgs) return notEvaluated(NO_ARGS);
    const cache = writeBandwidth(run, false);
    const base = writeBandwidth(baseline, true);
    if (cache.us <= 0 || cache.bytes <= 0)
      return notEvaluated(`the SCR run wrote nothing outside the ${run.pfs} tier`);
    if (base.us <= 0 || base.bytes <= 0)
      return notEvaluated(`the baseline wrote nothing to the ${run.pfs} tier`);
    const cacheBw = cache.bytes / (cache.us / 1e6);
    const baseBw = base.bytes / (base.us / 1e6);
    const evidence = [
      ev(
        'cacheBandwidth',
        `cache write bandwidth (tiers ${[...cache.tiers].join(', ')}: bytes ÷ summed write time)`,
        cacheBw,
        'bytesPerSecond',
      ),
      ev('cacheBytes', 'bytes written to the cache', cache.bytes, 'bytes'),
      ev('cacheTime', 'summed cache write time', cache.us, 'us'),
      ev('baselinePfsBandwidth', `baseline ${run.pfs} write bandwidth`, baseBw, 'bytesPerSecond'),
    ];
    if (!(cacheBw < baseBw)) return passed(evidence);
    const cached = cachedDatasetBytes(run);
    if (cached === 0)
      // only SCR's own control files went to the cache: the checkpoint already bypasses it
      return fired(scrCacheSlower, {
        severity: 'info',
        evidence,
        recommendation:
          `Only SCR’s own small files (${fmtBytes(cache.bytes)}) were written outside ${run.pfs}, at ` +
          `${fmtValue(cacheBw, 'bytesPerSecond')}: the checkpoint data already bypasses the cache ` +
          '(SCR_CACHE_BYPASS=1), so no cache setting would change its write time.',
        examples: run.slowCalls((row) => isWriteRow(row) && run.tier(row.file) !== run.pfs),
      });
    return fired(scrCacheSlower, {
      evidence,
      recommendation:
        `Writing the checkpoint to SCR’s cache (${[...cache.tiers].join(', ')}) ran at ${fmtValue(cacheBw, 'bytesPerSecond')}, ` +
        `slower than the baseline wrote straight to ${run.pfs} (${fmtValue(baseBw, 'bytesPerSecond')}). Point ` +
        'SCR_CACHE_BASE at faster node-local storage, e.g. /dev/shm (the memory must hold SCR_CACHE_SIZE ' +
        'checkpoints; default 1), or set SCR_CACHE_BYPASS=1 to write straight to the parallel file system ' +
        '(SCR 3’s default; this run wrote its checkpoint to the cache, so it was set to 0).',
      examples: run.slowCalls((row) => isWriteRow(row) && run.tier(row.file) !== run.pfs),
    });
  },
};

const NO_OFFSETS =
  'no read or write carries an offset: only pread/pwrite/preadv/pwritev record one; read/write/fread/fwrite use ' +
  'the file position, which DFTracer does not record';

const randomAccess: Rule = {
  id: 'random-access',
  severity: 'warn',
  title: 'Random (non-sequential) access within files',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    if (!run.hasArgs) return notEvaluated(NO_ARGS);
    const judged = run.ioSum(IoField.ReadsJudged) + run.ioSum(IoField.WritesJudged);
    if (judged === 0) return notEvaluated(NO_OFFSETS);
    const seq = run.ioSum(IoField.ReadsSequential) + run.ioSum(IoField.WritesSequential);
    const random = judged - seq;
    const share = pct(random, judged);
    const io = run.run.io;
    const randomOf = (i: number) =>
      ioField(io, i, IoField.ReadsJudged) +
      ioField(io, i, IoField.WritesJudged) -
      ioField(io, i, IoField.ReadsSequential) -
      ioField(io, i, IoField.WritesSequential);
    const evidence = [
      ev('judged', 'offset-carrying calls after an earlier one on the same file and trace', judged, 'count'),
      ev('random', 'of which start before the previous call’s end (random)', random, 'count'),
      ev('share', 'random share', share, 'percent'),
      ev(
        'readsRandom',
        'random reads',
        run.ioSum(IoField.ReadsJudged) - run.ioSum(IoField.ReadsSequential),
        'count',
      ),
      ev(
        'writesRandom',
        'random writes',
        run.ioSum(IoField.WritesJudged) - run.ioSum(IoField.WritesSequential),
        'count',
      ),
    ];
    if (!(random * 100 > t['randomAccess.percent'] * judged && random > t['randomAccess.minCount']))
      return passed(evidence);
    const files = io.files
      .map((f, i) => [f, randomOf(i)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    evidence.push(
      ev(
        'topFiles',
        'files with most random accesses',
        null,
        'text',
        files.map(([f, n]) => `${f} (${n})`).join(', '),
      ),
    );
    const top = new Set(files.map(([f]) => f));
    return fired(randomAccess, {
      evidence,
      recommendation:
        `${fmtValue(share, 'percent')} of offset-carrying calls jump backwards. Read and write in file order and ` +
        'in larger contiguous pieces: sort the sample indices you read within each file, shuffle at the level of ' +
        'files or shards rather than records, or let MPI-IO collective buffering reorder requests.',
      examples: run.slowCalls((row) => isData(row) && top.has(row.file)),
    });
  },
};

const sharedFileImbalance: Rule = {
  id: 'shared-file-imbalance',
  severity: 'warn',
  title: 'Processes move unequal amounts of data on a shared file',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    if (!run.hasArgs) return notEvaluated(NO_ARGS);
    const perFile = new Map<string, Map<number, number>>();
    traceFileOps(run.run).forEach((rows, trace) => {
      for (const row of rows) {
        if (!isIoCat(row.cat) || ioKind(row.op) === IoKind.Other || row.count === 0 || row.file === '')
          continue;
        let m = perFile.get(row.file);
        if (!m) perFile.set(row.file, (m = new Map()));
        m.set(trace, (m.get(trace) ?? 0) + row.bytes);
      }
    });
    const shared: {
      file: string;
      procs: number;
      max: number;
      min: number;
      total: number;
      imbalance: number;
    }[] = [];
    for (const [file, m] of perFile) {
      if (m.size < 2) continue;
      const v = [...m.values()];
      const max = Math.max(...v);
      const min = Math.min(...v);
      const total = v.reduce((a, b) => a + b, 0);
      shared.push({
        file,
        procs: m.size,
        max,
        min,
        total,
        imbalance: max > 0 ? (100 * (max - min)) / max : 0,
      });
    }
    const bad = shared
      .filter(
        (s) => s.imbalance > t['sharedFileImbalance.percent'] && s.total >= t['sharedFileImbalance.minBytes'],
      )
      .sort((a, b) => b.total - a.total || b.imbalance - a.imbalance);
    const evidence = [
      ev('sharedFiles', 'files with data moved by 2 or more processes', shared.length, 'count'),
      ev('imbalanced', 'of which imbalanced', bad.length, 'count'),
    ];
    if (bad.length === 0) return passed(evidence);
    const w = bad[0];
    evidence.push(
      ev('worstFile', 'largest imbalanced file', null, 'text', w.file),
      ev('worstProcesses', 'processes on it', w.procs, 'count'),
      ev('worstMax', 'most bytes by one process', w.max, 'bytes'),
      ev('worstMin', 'fewest bytes by one process', w.min, 'bytes'),
      ev('worstImbalance', '(most − fewest) ÷ most', w.imbalance, 'percent'),
    );
    return fired(sharedFileImbalance, {
      evidence,
      recommendation:
        `${bad.length} shared file(s) are accessed unevenly: on ${w.file} one process moves ${fmtBytes(w.max)} and ` +
        `another ${fmtBytes(w.min)}. Split shared files evenly between ranks (balanced domain decomposition), or ` +
        'use MPI-IO collective I/O so aggregators even the load; stragglers hold every rank at the next barrier.',
      examples: run.slowCalls((row) => isData(row) && row.file === w.file),
    });
  },
};

const redundantWrites: Rule = {
  id: 'redundant-writes',
  severity: 'warn',
  title: 'The same file regions are written more than once',
  judge({ run, t }) {
    if (run.ioEvents === 0) return notEvaluated(NO_IO);
    if (!run.hasArgs) return notEvaluated(NO_ARGS);
    const io = run.run.io;
    if (run.ioSum(IoField.WritesWithOffset) === 0)
      return notEvaluated(
        'no write carries an offset: only pwrite/pwritev record one; write/fwrite use the file position, which ' +
          'DFTracer does not record',
      );
    const files: { file: string; written: number; extent: number; again: number }[] = [];
    for (let i = 0; i < io.files.length; i++) {
      const written = ioField(io, i, IoField.WriteBytesWithOffset);
      const extent = ioField(io, i, IoField.WriteMaxEnd);
      if (written > extent) files.push({ file: io.files[i], written, extent, again: written - extent });
    }
    files.sort((a, b) => b.again - a.again);
    const again = files.reduce((a, f) => a + f.again, 0);
    const evidence = [
      ev(
        'filesWithOffsets',
        'files written with offsets',
        io.files.filter((_, i) => ioField(io, i, IoField.WritesWithOffset) > 0).length,
        'count',
      ),
      ev('filesRewritten', 'files whose bytes written exceed their furthest offset', files.length, 'count'),
      ev('rewritten', 'bytes written more than once (at least)', again, 'bytes'),
    ];
    if (!(again >= t['redundantWrites.minBytes'])) return passed(evidence);
    const w = files[0];
    evidence.push(
      ev('worstFile', 'most rewritten file', null, 'text', w.file),
      ev('worstWritten', 'bytes written to it with offsets', w.written, 'bytes'),
      ev('worstExtent', 'its furthest byte written', w.extent, 'bytes'),
    );
    return fired(redundantWrites, {
      evidence,
      recommendation:
        `At least ${fmtBytes(again)} were written over bytes already written (on ${w.file}: ${fmtBytes(w.written)} ` +
        `written, but the file reaches only ${fmtBytes(w.extent)}). Write each region once: keep headers and ` +
        'indices in memory until the end, avoid rewriting a checkpoint file in place every step, or check that ' +
        'ranks do not write the same region of a shared file.',
      examples: run.slowCalls((row) => isWriteRow(row) && row.file === w.file),
    });
  },
};

/** Every rule, in the order the README documents them. */
export const RULES: Rule[] = [
  smallIo('small-writes'),
  smallIo('small-reads'),
  metadataHeavy,
  rankImbalance,
  stdioHeavy,
  slowWriteTail,
  checkpointShare,
  scrSyncFlush,
  scrSmallCopyBuffer,
  scrCacheSlower,
  randomAccess,
  sharedFileImbalance,
  redundantWrites,
];
