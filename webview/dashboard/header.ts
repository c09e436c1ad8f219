import { fmtBytes, fmtCount, fmtUs } from '../../src/engine/format';
import type { RunHeader } from '../../src/protocol';
import { h, icon } from '../common/dom';

/** Run title, the figures a performance engineer checks first, and every problem the reader met, said plainly. */
export function renderHeader(
  hd: RunHeader,
  hasSiblings: boolean,
  actions: { openWholeRun: () => void; copy: (text: string) => void },
): HTMLElement {
  const stat = (label: string, value: string, testid?: string) =>
    h('span', { class: 'stat' }, `${label} `, h('b', testid ? { 'data-testid': testid } : {}, value));
  const eras = Object.entries(hd.eras)
    .map(([era, n]) => (Object.keys(hd.eras).length > 1 ? `${era} (${n})` : era))
    .join(', ');
  const el = h(
    'header',
    { class: 'run-header' },
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, hd.label),
      hasSiblings
        ? h(
            'vscode-button',
            {
              secondary: true,
              onclick: actions.openWholeRun,
              title: 'Open every trace file in this folder as one run',
            },
            icon('layers'),
            ' Open the whole run',
          )
        : null,
    ),
    h(
      'div',
      { class: 'muted mono path' },
      hd.folder,
      h(
        'button',
        {
          class: 'link',
          title: 'Copy path',
          'aria-label': 'Copy path',
          onclick: () => actions.copy(hd.folder),
        },
        icon('copy'),
      ),
    ),
    h(
      'div',
      { class: 'stats' },
      stat('trace files', fmtCount(hd.traceFiles), 'trace-files'),
      stat('events', fmtCount(hd.events), 'event-count'),
      stat('time span', fmtUs(hd.tsMax - hd.tsMin), 'time-span'),
      stat('processes', fmtCount(hd.processes)),
      stat('threads', fmtCount(hd.threads)),
      stat('hosts', hd.hosts.length ? hd.hosts.join(', ') : '—'),
      stat('format', eras || '—'),
      stat('text', `${fmtBytes(hd.uncompressedBytes)} (${fmtBytes(hd.compressedBytes)} on disk)`),
      hd.checkpointSpans ? stat('checkpoint events', fmtCount(hd.checkpointSpans)) : null,
    ),
  );
  if (hd.noArgs) {
    el.append(
      banner(
        'warning',
        'These traces carry no arguments: the tracer ran without DFTRACER_INC_METADATA=1, so no file names or sizes were recorded. Counts and times per operation are real; bytes and files are unknown (not zero).',
      ),
    );
  }
  for (const u of hd.unreadable) el.append(banner('error', `Could not read ${u.trace}: ${u.error}`));
  for (const t of hd.truncated) {
    el.append(
      banner(
        'warning',
        `${t.trace} is truncated (${t.problems.join('; ')}). Every event before the cut is kept.`,
      ),
    );
  }
  for (const c of hd.hashCollisions ?? []) el.append(banner('info', `${c.trace}: ${c.problem}`));
  if (hd.badLines > 0) {
    const details = h(
      'details',
      { class: 'banner' },
      h(
        'summary',
        {},
        icon('warning'),
        ` ${fmtCount(hd.badLines)} line${hd.badLines === 1 ? '' : 's'} could not be parsed and were skipped (everything else is kept). Examples:`,
      ),
      h(
        'ul',
        { class: 'bad-lines' },
        ...hd.badExamples.map((b) =>
          h(
            'li',
            {},
            h('span', { class: 'mono' }, `${b.trace.split('/').pop()}:${b.line}`),
            ` — ${b.reason}: `,
            h('code', {}, b.excerpt),
          ),
        ),
      ),
    );
    el.append(details);
  }
  if (hd.unresolvedFileHashes > 0) {
    el.append(
      banner(
        'info',
        `${hd.unresolvedFileHashes} file hashes have no FH metadata anywhere in the run; they are shown as fhash:<hash>.`,
      ),
    );
  }
  if (hd.writesKept < hd.writesTotal) {
    el.append(
      banner(
        'info',
        `${fmtCount(hd.writesTotal)} write calls: the timeline shows an even sample of ${fmtCount(hd.writesKept)}, and every slowest write. Totals are exact.`,
      ),
    );
  }
  return el;
}

function banner(kind: 'warning' | 'error' | 'info', text: string): HTMLElement {
  return h(
    'div',
    { class: `banner ${kind === 'warning' ? '' : kind}`, role: kind === 'error' ? 'alert' : 'status' },
    icon(kind === 'error' ? 'error' : kind === 'info' ? 'info' : 'warning'),
    h('span', {}, text),
  );
}
