// The few parts of plotly.js the webviews use (the strict bundle ships no types).
declare module 'plotly.js-strict-dist-min' {
  export interface PlotDatum {
    curveNumber: number;
    pointNumber: number;
    pointIndex: number;
    customdata?: unknown;
    data: { customdata?: unknown[] };
  }
  export interface PlotMouseEvent {
    points: PlotDatum[];
  }
  export type Data = Record<string, unknown>;
  export type Layout = Record<string, unknown>;
  export type Config = Record<string, unknown>;
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: 'plotly_click', handler: (e: PlotMouseEvent) => void): void;
    on(event: 'plotly_relayout', handler: (e: Record<string, unknown>) => void): void;
    removeAllListeners?(event: string): void;
  }
  const Plotly: {
    react(el: HTMLElement, data: Data[], layout: Layout, config?: Config): Promise<PlotlyHTMLElement>;
    newPlot(el: HTMLElement, data: Data[], layout: Layout, config?: Config): Promise<PlotlyHTMLElement>;
    relayout(el: HTMLElement, update: Layout): Promise<PlotlyHTMLElement>;
    purge(el: HTMLElement): void;
    Plots: { resize(el: HTMLElement): void };
  };
  export default Plotly;
}
