import { h } from './dom';

export interface LegendItem {
  /** Plain text (a tier or file name from the trace: never parsed as markup). */
  label: string;
  /** A CSS colour value; `var(--vscode-…)` follows the theme by itself. */
  color: string;
  count?: string;
  /** A ring instead of a filled swatch (slow writes). */
  ring?: boolean;
}

/**
 * A chart's legend as HTML: swatch, name and count per series. With `toggle`, each entry is a button that shows
 * or hides its series (keyboard reachable); the state is in aria-pressed.
 */
export function legend(items: LegendItem[], toggle?: (index: number, visible: boolean) => void): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'data-testid': 'legend', 'aria-label': 'Legend' },
    ...items.map((it, i) => {
      const swatch = h('span', { class: it.ring ? 'swatch ring' : 'swatch', 'aria-hidden': 'true' });
      if (it.ring) swatch.style.borderColor = it.color;
      else swatch.style.background = it.color;
      const body = [
        swatch,
        h('span', { class: 'legend-label' }, it.label),
        it.count ? h('span', { class: 'muted' }, ` ${it.count}`) : '',
      ];
      if (!toggle) return h('li', { 'data-series': it.label, 'data-color': it.color }, ...body);
      const button = h(
        'button',
        {
          class: 'legend-item',
          'aria-pressed': 'true',
          title: 'Show or hide this series',
          'data-series': it.label,
          'data-color': it.color,
        },
        ...body,
      );
      button.addEventListener('click', () => {
        const visible = button.getAttribute('aria-pressed') !== 'true';
        button.setAttribute('aria-pressed', String(visible));
        toggle(i, visible);
      });
      return h('li', {}, button);
    }),
  );
}
