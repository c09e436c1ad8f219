import { fmtCount } from '../../src/engine/format';
import type { LoadProgress } from '../../src/protocol';
import { h, icon } from './dom';

/** "Reading: 42% · 3/16 files · 1,234,567 events · 180 MB/s" with a bar; updates arrive as new messages. */
export function progressView(p: LoadProgress | undefined): HTMLElement {
  const pct = p && p.bytesTotal ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0;
  const mbs = p && p.elapsedMs > 0 ? p.bytesDone / 1e6 / (p.elapsedMs / 1000) : 0;
  const bar = h('div', { class: 'progress' });
  bar.style.width = `${pct.toFixed(1)}%`;
  const text = p
    ? `Reading traces: ${pct.toFixed(0)}% · ${p.filesDone}/${p.filesTotal} files · ${fmtCount(p.events)} events · ${mbs.toFixed(0)} MB/s`
    : 'Reading traces…';
  return h(
    'div',
    {
      class: 'load-progress',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.round(pct),
    },
    h(
      'p',
      { class: 'loading' },
      icon('loading codicon-modifier-spin'),
      h('span', { 'data-testid': 'progress-text' }, text),
    ),
    h('div', { class: 'progress-track' }, bar),
    h(
      'p',
      { class: 'muted' },
      'Parsing runs in background workers; VS Code stays responsive. Cancel from the notification.',
    ),
  );
}
