import Plotly, {
  type Config,
  type Data,
  type Layout,
  type PlotlyHTMLElement,
} from 'plotly.js-strict-dist-min';
import { themeColor } from './dom';

export { Plotly };
export type { Config, Data, Layout, PlotlyHTMLElement };

/** Series colors from the theme's chart palette, so charts follow light, dark and high-contrast themes. */
export function palette(): string[] {
  return [
    themeColor('--vscode-charts-blue', '#3794ff'),
    themeColor('--vscode-charts-orange', '#d18616'),
    themeColor('--vscode-charts-green', '#89d185'),
    themeColor('--vscode-charts-purple', '#b180d7'),
    themeColor('--vscode-charts-yellow', '#cca700'),
    themeColor('--vscode-charts-red', '#f14c4c'),
    themeColor('--vscode-terminal-ansiCyan', '#11a8cd'),
    themeColor('--vscode-terminal-ansiMagenta', '#bc3fbc'),
  ];
}

export function slowColor(): string {
  return themeColor('--vscode-charts-red', '#f14c4c');
}

/** A plotly layout whose text, grid and background come from the VS Code theme. */
export function themedLayout(extra: Layout = {}): Layout {
  const fg = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-editorWidget-border', themeColor('--vscode-panel-border', '#444444'));
  const font = themeColor('--vscode-font-family', 'sans-serif');
  const axis = { gridcolor: grid, zerolinecolor: grid, linecolor: grid, color: fg, automargin: true };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, family: font, size: 11 },
    margin: { l: 50, r: 10, t: 10, b: 40 },
    hoverlabel: {
      bgcolor: themeColor('--vscode-editorHoverWidget-background', '#252526'),
      bordercolor: themeColor('--vscode-editorHoverWidget-border', '#454545'),
      font: { color: themeColor('--vscode-editorHoverWidget-foreground', fg), family: font },
    },
    legend: { orientation: 'h', y: -0.2, font: { color: fg } },
    ...extra,
    xaxis: { ...axis, ...((extra.xaxis as object) ?? {}) },
    yaxis: { ...axis, ...((extra.yaxis as object) ?? {}) },
  };
}

export const plotConfig: Config = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ['lasso2d', 'select2d', 'toImage'],
};
