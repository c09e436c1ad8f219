import { fmtCount } from '../../src/engine/format';
import type { LoadProgress } from '../../src/protocol';

/** The parse progress line: fraction done (0..1) and the text beside the bar. */
export function progressInfo(p: LoadProgress): { fraction: number; text: string } {
  const fraction =
    p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const parts = [`${Math.floor(f * 100)}%`];
  if (p.bytesTotal > 0) parts.push(`${mb(p.bytesDone)} of ${mb(p.bytesTotal)}`);
  // A rate over the first few milliseconds says nothing and jumps wildly.
  if (p.elapsedMs >= 200) parts.push(`${(p.bytesDone / 1e6 / (p.elapsedMs / 1000)).toFixed(1)} MB/s`);
  parts.push(`${fmtCount(p.events)} events`);
  if (p.filesTotal > 1) parts.push(`${fmtCount(p.filesDone)} of ${fmtCount(p.filesTotal)} trace files`);
  return { fraction: f, text: parts.join(' · ') };
}

function mb(bytes: number): string {
  const v = bytes / 1e6;
  return `${v.toFixed(v < 10 ? 1 : 0)} MB`;
}
