// Loads the shared chart bundle once, when the first chart is about to be drawn: views that show no chart (the
// event list) never load it, and the dashboard's numbers appear before it is parsed.
import type { ChartsApi } from '../charts/api';

let loading: Promise<ChartsApi> | undefined;

export function loadCharts(): Promise<ChartsApi> {
  loading ??= new Promise<ChartsApi>((resolve, reject) => {
    if (window.dftraceCharts) return resolve(window.dftraceCharts);
    const { chartsJs, chartsCss } = document.body.dataset;
    // the page's nonce: a script or stylesheet added with it passes the nonce-only CSP
    const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
    if (!chartsJs || !chartsCss) return reject(new Error('this page has no chart bundle'));
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = chartsCss;
    css.nonce = nonce;
    document.head.append(css);
    const script = document.createElement('script');
    script.src = chartsJs;
    script.nonce = nonce;
    script.onload = () =>
      window.dftraceCharts ? resolve(window.dftraceCharts) : reject(new Error('chart bundle did not load'));
    script.onerror = () => reject(new Error('could not load the chart bundle'));
    document.head.append(script);
  });
  return loading;
}

/** Resolves when the element is (about to be) on screen, so charts below the fold cost nothing until scrolled to. */
export function whenVisible(el: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          resolve();
        }
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
  });
}
