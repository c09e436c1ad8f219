// The contract between the views and the chart bundle (dist/webview/charts.js), which is loaded once, on demand,
// and shared by every view that draws a chart. Views import these types only, never the chart code itself.

export interface ScatterGroup {
  /** Plain text: shown in the legend and tooltips as text, never as markup. */
  label: string;
  /** A concrete CSS colour (canvas cannot resolve var(--…)). */
  color: string;
  /** Row numbers of the points in this group. */
  rows: number[];
}

export interface ChartTheme {
  fg: string;
  grid: string;
  font: string;
}

export interface ScatterSpec {
  /** Per row: x value, y value (> 0: the y axis is logarithmic), marker radius in CSS pixels. */
  x: Float64Array;
  y: Float64Array;
  radius: Float64Array;
  groups: ScatterGroup[];
  /** Rows drawn with a ring around them (slow writes), in this colour. */
  rings?: { rows: number[]; color: string };
  xLabel: string;
  yLabel: string;
  /** Initial x range (restored zoom); undefined: all the data. */
  xRange?: [number, number];
  /** Fixed y range (several charts on one scale); undefined: the data's, with room for the markers. */
  yRange?: [number, number];
  height: number;
  theme: ChartTheme;
  /** Tooltip text of a row (plain text, lines split by \n). */
  describe(row: number): string;
  onClick(row: number): void;
  /** The x range after a zoom or pan (undefined: reset to all the data). */
  onXRange(range: [number, number] | undefined): void;
}

export interface ScatterChart {
  setXRange(range: [number, number] | undefined): void;
  setGroupVisible(group: number, visible: boolean): void;
  /** Row under a point of the plot (CSS pixels relative to the plot area), for tests and keyboard users. */
  rowAt(left: number, top: number): number | undefined;
  destroy(): void;
}

export interface ChartsApi {
  scatter(box: HTMLElement, spec: ScatterSpec): ScatterChart;
}

declare global {
  interface Window {
    dftraceCharts?: ChartsApi;
  }
}
