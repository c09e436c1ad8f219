// The comparison's rule diff: per insight rule, whether it fired in the baseline and in each other run (fired in
// both, cleared, new, quiet, not evaluated), with each side's evidence next to the other's. "What did SCR fix and
// what did it break."
import type { Evidence, RuleChange, RuleDiffRow, RuleSide } from '../../src/engine/insights';
import type { InsightsDiffAnswer } from '../../src/protocol';
import { h, icon } from '../common/dom';
import './insights-diff.css';

const CHANGE: Record<RuleChange, { label: string; icon: string }> = {
  new: { label: 'new', icon: 'warning' },
  fired: { label: 'fired in both', icon: 'circle-filled' },
  cleared: { label: 'cleared', icon: 'pass' },
  quiet: { label: 'quiet in both', icon: 'circle-outline' },
  notEvaluated: { label: 'not evaluated', icon: 'question' },
};
const ORDER: RuleChange[] = ['new', 'fired', 'cleared', 'notEvaluated', 'quiet'];

export function renderInsightsDiff(box: HTMLElement, a: InsightsDiffAnswer): void {
  a.diffs.forEach((rows, i) => {
    const label = a.labels[i + 1];
    const sorted = [...rows].sort((x, y) => ORDER.indexOf(x.change) - ORDER.indexOf(y.change));
    const counts = ORDER.map((c) => [c, rows.filter((r) => r.change === c).length] as const).filter(
      ([, n]) => n,
    );
    box.append(
      h(
        'h3',
        {},
        `${a.labels[0]} → ${label}: `,
        counts.map(([c, n]) => `${n} ${CHANGE[c].label}`).join(', '),
      ),
      h(
        'table',
        { class: 'grid rule-diff', 'aria-label': `Insight rules, ${a.labels[0]} versus ${label}` },
        h(
          'colgroup',
          {},
          h('col', { class: 'rule' }),
          h('col', { class: 'change' }),
          h('col', {}),
          h('col', {}),
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Rule'),
            h('th', { scope: 'col' }, 'Change'),
            h('th', { scope: 'col' }, a.labels[0]),
            h('th', { scope: 'col' }, label),
          ),
        ),
        h('tbody', {}, ...sorted.map((r) => row(r))),
      ),
    );
  });
}

function row(r: RuleDiffRow): HTMLElement {
  const c = CHANGE[r.change];
  return h(
    'tr',
    { class: `change-${r.change}`, 'data-testid': 'rule-diff', 'data-rule': r.id, 'data-change': r.change },
    h('th', { scope: 'row' }, h('div', {}, r.title), h('code', { class: 'muted' }, r.id)),
    h('td', { class: 'change' }, icon(c.icon), ` ${c.label}`),
    h('td', {}, side(r.baseline)),
    h('td', {}, side(r.other)),
  );
}

function side(s: RuleSide): HTMLElement {
  if (s.state === 'notEvaluated') return h('div', { class: 'muted' }, `not evaluated: ${s.reason ?? ''}`);
  const head = s.state === 'fired' ? h('div', { class: `fired sev-${s.finding?.severity}` }, 'fired') : null;
  return h('div', {}, head, evidenceList(s.evidence));
}

function evidenceList(ev: Evidence[]): HTMLElement {
  return h('dl', { class: 'evidence' }, ...ev.flatMap((e) => [h('dt', {}, e.label), h('dd', {}, e.text)]));
}
