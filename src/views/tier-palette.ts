/**
 * One colour per storage tier, the same in every view (dashboard, comparison, event list, runs tree). A colour
 * follows the tier's name, never the order tiers appear in a run: PFS is blue in the baseline and in the SCR run.
 * Colours are VS Code theme colour ids (`charts.blue`), so light, dark and high-contrast themes all work; the tree
 * uses them as ThemeColor, webviews as `var(--vscode-charts-blue)`. Red is not a tier colour: it marks slow writes.
 * Pure module (no `vscode` import): the host and the webviews share it.
 */
const KNOWN: Record<string, string> = {
  PFS: 'charts.blue',
  SSD: 'charts.green',
  tmpfs: 'charts.purple',
  'local tmp': 'charts.yellow',
  other: 'charts.foreground',
};

/** Colours for tiers the user defined beyond the known ones, given by their position in the settings. */
const SPARE = [
  'charts.orange',
  'terminal.ansiCyan',
  'terminal.ansiMagenta',
  'terminal.ansiBrightBlue',
  'terminal.ansiBrightGreen',
  'terminal.ansiBrightYellow',
];

/**
 * The theme colour id of a tier. `order` is the list of tier labels from the settings (stable across views), so a
 * custom tier gets the same spare colour everywhere.
 */
export function tierColorId(tier: string, order: readonly string[] = []): string {
  const known = KNOWN[tier];
  if (known) return known;
  const custom = [...new Set(order)].filter((t) => !(t in KNOWN));
  const i = custom.indexOf(tier);
  if (i >= 0) return SPARE[i % SPARE.length];
  // a label the settings no longer have (a cached run): a stable pick by name
  let hash = 0;
  for (let k = 0; k < tier.length; k++) hash = (hash * 31 + tier.charCodeAt(k)) | 0;
  return SPARE[Math.abs(hash) % SPARE.length];
}

/** The CSS custom property VS Code sets for a theme colour id (`charts.blue` -> `--vscode-charts-blue`). */
export function cssVarOf(colorId: string): string {
  return `--vscode-${colorId.replace(/\./g, '-')}`;
}

/** Fallbacks for a webview without the theme's variables (a test page). */
export const FALLBACK: Record<string, string> = {
  'charts.blue': '#3794ff',
  'charts.green': '#89d185',
  'charts.purple': '#b180d7',
  'charts.yellow': '#cca700',
  'charts.orange': '#d18616',
  'charts.red': '#f14c4c',
  'charts.foreground': '#cccccc',
  'terminal.ansiCyan': '#11a8cd',
  'terminal.ansiMagenta': '#bc3fbc',
  'terminal.ansiBrightBlue': '#3b8eea',
  'terminal.ansiBrightGreen': '#23d18b',
  'terminal.ansiBrightYellow': '#f5f543',
};

/**
 * Distinct colours for operations (fread and __xstat must not share one): the first ten ops by time get one each,
 * the rest are drawn together as "other ops".
 */
export const OP_COLORS = [
  'charts.blue',
  'charts.orange',
  'charts.green',
  'charts.purple',
  'charts.yellow',
  'charts.red',
  'terminal.ansiCyan',
  'terminal.ansiMagenta',
  'terminal.ansiBrightGreen',
  'terminal.ansiBrightBlue',
];
