// The chart bundle: uPlot (a 50 KB canvas library) behind the small API in ./api.ts. Built once as
// dist/webview/charts.js + charts.css and loaded by a view only when it has a chart to draw (webview/common/charts.ts).
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { scatter } from './scatter';

window.dftraceCharts = { scatter };
