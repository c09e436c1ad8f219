// Colours for views, resolved from the theme each time they are drawn (a theme switch re-draws with new ones).
import { cssVarOf, FALLBACK, OP_COLORS, tierColorId } from '../../src/views/tier-palette';
import type { ChartTheme } from '../charts/api';
import { themeColor } from './dom';

/** The concrete colour of a theme colour id, for canvas drawing. */
export function resolveColor(colorId: string): string {
  return themeColor(cssVarOf(colorId), FALLBACK[colorId] ?? '#888888');
}

/** A CSS value that follows the theme by itself (DOM elements: legend swatches, bars, badges). */
export function cssColor(colorId: string): string {
  return `var(${cssVarOf(colorId)}, ${FALLBACK[colorId] ?? '#888888'})`;
}

export function tierColor(tier: string, order: readonly string[]): string {
  return resolveColor(tierColorId(tier, order));
}

export function tierCss(tier: string, order: readonly string[]): string {
  return cssColor(tierColorId(tier, order));
}

export function opCss(index: number): string {
  return cssColor(OP_COLORS[index % OP_COLORS.length]);
}

export function slowColor(): string {
  return resolveColor('charts.red');
}

export function chartTheme(): ChartTheme {
  return {
    fg: themeColor('--vscode-foreground', '#cccccc'),
    grid: themeColor('--vscode-editorWidget-border', themeColor('--vscode-panel-border', '#444444')),
    font: themeColor('--vscode-font-family', 'sans-serif'),
  };
}

/**
 * Calls `redraw` when VS Code switches the theme: it changes the body's class (vscode-dark, vscode-light, …), its
 * data-vscode-theme-kind and the --vscode-* variables in the html element's style.
 */
export function onThemeChange(redraw: () => void): () => void {
  let last = themeKey();
  const observer = new MutationObserver(() => {
    const now = themeKey();
    if (now === last) return;
    last = now;
    redraw();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}

function themeKey(): string {
  return `${document.body.className}|${document.body.dataset.vscodeThemeKind ?? ''}|${themeColor('--vscode-foreground', '')}|${themeColor('--vscode-editor-background', '')}`;
}

/** A tier's name with its colour dot, the same colour as its markers in every chart. */
export function tierBadge(tier: string): HTMLElement {
  const dot = document.createElement('span');
  dot.className = 'tier-dot';
  dot.setAttribute('aria-hidden', 'true');
  dot.style.background = tierCss(tier, []);
  const el = document.createElement('span');
  el.className = 'tier-badge';
  el.dataset.tier = tier;
  el.dataset.color = tierColorId(tier, []);
  el.append(dot, tier);
  return el;
}
