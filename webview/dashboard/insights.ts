// The dashboard's Insights section: what is wrong with the run and what to change, worst first. Each finding
// expands to its evidence and example events; an example opens the file's event list on it (or, for an application
// event such as a checkpoint, its raw line).
import type { Finding, InsightExample } from '../../src/engine/insights';
import { fmtBytes, fmtUs } from '../../src/engine/format';
import type { InsightsAnswer } from '../../src/protocol';
import { h, icon } from '../common/dom';
import './insights.css';

const ICON = { high: 'error', warn: 'warning', info: 'info' } as const;

export interface InsightActions {
  open(x: InsightExample): void;
  /** Ids of the findings shown expanded (kept in the webview's state). */
  expanded: string[];
  onExpanded(ids: string[]): void;
}

export function renderInsights(box: HTMLElement, a: InsightsAnswer, act: InsightActions): void {
  const open = new Set(act.expanded);
  if (a.findings.length === 0)
    box.append(
      h('p', { class: 'muted', 'data-testid': 'insights-none' }, icon('pass'), ' No rule fired on this run.'),
    );
  const list = h('div', { class: 'insights', role: 'list', 'aria-label': 'Insight findings' });
  for (const f of a.findings) list.append(finding(f, open.has(f.id), act, open));
  box.append(list);
  if (a.notEvaluated.length > 0 || a.passed.length > 0) {
    const more = h(
      'details',
      { class: 'insights-more' },
      h('summary', {}, `${a.notEvaluated.length} not evaluated, ${a.passed.length} judged without firing`),
      h(
        'ul',
        { 'data-testid': 'insights-not-evaluated' },
        ...a.notEvaluated.map((n) => h('li', {}, h('code', {}, n.id), ': ', n.reason)),
      ),
      h('p', { class: 'muted' }, 'Did not fire: ', a.passed.map((p) => p.id).join(', ') || '-'),
    );
    box.append(more);
  }
}

function finding(f: Finding, expanded: boolean, act: InsightActions, open: Set<string>): HTMLElement {
  const details = h(
    'details',
    { class: `insight sev-${f.severity}`, role: 'listitem', 'data-testid': 'insight', 'data-rule': f.id },
    h(
      'summary',
      {},
      icon(ICON[f.severity], f.severity),
      h('span', { class: 'sev' }, f.severity.toUpperCase()),
      h('span', { class: 'insight-title' }, f.title),
      h('code', { class: 'muted' }, f.id),
      f.approximate
        ? h('span', { class: 'muted', title: 'estimated from an even sample of writes' }, '≈')
        : null,
    ),
    h('p', { class: 'recommendation' }, f.recommendation),
    h(
      'table',
      { class: 'grid evidence', 'aria-label': `Evidence for ${f.id}` },
      h(
        'tbody',
        {},
        ...f.evidence.map((e) =>
          h('tr', {}, h('th', { scope: 'row' }, e.label), h('td', { class: 'num' }, e.text)),
        ),
      ),
    ),
    f.examples.length > 0 ? h('h4', {}, 'Example events') : null,
    h('ul', { class: 'examples' }, ...f.examples.map((x) => example(x, act))),
  );
  details.open = expanded;
  details.addEventListener('toggle', () => {
    if (details.open) open.add(f.id);
    else open.delete(f.id);
    act.onExpanded([...open]);
  });
  return details;
}

function example(x: InsightExample, act: InsightActions): HTMLElement {
  const name = x.trace.slice(x.trace.lastIndexOf('/') + 1);
  const b = h(
    'button',
    {
      class: 'example',
      'data-testid': 'insight-example',
      title: x.file ? 'Show this event in the file’s event list' : 'Show this event’s raw line',
    },
    icon(x.file ? 'go-to-file' : 'json'),
    ` ${name}:${x.line}  ${x.op || 'write'}  ${x.file}  ${fmtUs(x.dur)}${x.bytes > 0 ? `  ${fmtBytes(x.bytes)}` : ''}`,
  );
  b.addEventListener('click', () => act.open(x));
  return h('li', {}, b);
}
