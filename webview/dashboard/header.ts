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
  for (const u of hd.unreadable)
    el.append(banner('error', `Could not read ${u.trace}: ${u.error}`, 'file-problem'));
  for (const t of hd.truncated) {
    el.append(
      banner(
        'warning',
        `${t.trace} is truncated: ${t.problems.join('; ')}. Every event before the cut is kept.`,
      ),
    );
  }
  for (const n of hd.notes ?? []) {
    const notGzip = n.problems.some((p) => /not gzip/.test(p));
    el.append(
      banner(
        'warning',
        notGzip
          ? `${n.trace} is named .gz but is not gzip-compressed: it was read as plain text. ${n.problems.filter((p) => !/not gzip/.test(p)).join('; ')}`.trim()
          : `${n.trace}: ${n.problems.join('; ')}`,
        'file-problem',
      ),
    );
  }
  for (const f of hd.emptyFiles ?? [])
    el.append(banner('warning', `${f} is empty (0 bytes): the process wrote nothing.`, 'file-problem'));
  if (hd.events === 0 && hd.traceFiles > 0 && !(hd.emptyFiles ?? []).length && !hd.unreadable.length)
    el.append(
      banner(
        'warning',
        `No events: ${hd.traceFiles === 1 ? 'the file holds' : `the ${fmtCount(hd.traceFiles)} files hold`} no DFTracer event${hd.badLines ? ' that could be parsed' : ''}.`,
        'file-problem',
      ),
    );
  for (const c of hd.hashCollisions ?? []) el.append(banner('info', `${c.trace}: ${c.problem}`));
  if (hd.badLines > 0) {
    const details = h(
      'details',
      { class: 'banner' },
      h(
        'summary',
        {},
        icon('warning'),
        ` ${fmtCount(hd.badLines)} ${hd.badLines === 1 ? 'line' : 'lines'} could not be parsed and ${hd.badLines === 1 ? 'was' : 'were'} skipped (everything else is kept). ${hd.badExamples.length === 1 ? 'Example' : 'Examples'}:`,
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
        `${fmtCount(hd.unresolvedFileHashes)} file ${hd.unresolvedFileHashes === 1 ? 'hash has' : 'hashes have'} no FH metadata anywhere in the run; ${hd.unresolvedFileHashes === 1 ? 'it is' : 'they are'} shown as fhash:<hash>.`,
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

function banner(kind: 'warning' | 'error' | 'info', text: string, testid?: string): HTMLElement {
  return h(
    'div',
    {
      class: `banner ${kind === 'warning' ? '' : kind}`,
      role: kind === 'error' ? 'alert' : 'status',
      'data-testid': testid,
    },
    icon(kind === 'error' ? 'error' : kind === 'info' ? 'info' : 'warning'),
    h('span', {}, text),
  );
}
