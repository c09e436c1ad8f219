import type { LoadProgress, ViewTarget } from '../../src/protocol';
import { clear, h, icon } from './dom';
import type { HostConnection } from './host';
import { progressView } from './progress';

export interface RunLoadView {
  /** Takes the view's target; returns true when it is another run than before (the view must render anew). */
  init(target: ViewTarget): boolean;
  title(): string;
  render(): Promise<void>;
}

/**
 * The load life cycle every run view shares: progress while the host parses, one render once loaded (and again
 * when settings change), a plain error when parsing failed. Sends `ready` once listening.
 */
export function followRunLoad<S extends object>(
  host: HostConnection<S>,
  app: HTMLElement,
  view: RunLoadView,
): void {
  let loaded = false;
  const showProgress = (p: LoadProgress | undefined) => {
    clear(app);
    app.setAttribute('aria-busy', 'true');
    app.append(h('h1', {}, view.title()), progressView(p));
  };
  const render = () => {
    app.removeAttribute('aria-busy');
    void view.render();
  };
  host.on((msg) => {
    switch (msg.type) {
      case 'init':
        if (view.init(msg.target)) loaded = false;
        if (!loaded) showProgress(undefined);
        return;
      case 'progress':
        if (!loaded) showProgress(msg.progress);
        return;
      case 'loaded':
        if (!loaded) {
          loaded = true;
          render();
        }
        return;
      case 'loadFailed':
        loaded = false;
        clear(app);
        app.removeAttribute('aria-busy');
        app.append(
          h('h1', {}, view.title()),
          h('div', { class: 'banner error', role: 'alert' }, icon('error'), `Could not read: ${msg.message}`),
        );
        return;
      case 'settingsChanged':
        if (loaded) render();
        return;
      case 'select':
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  });
  host.ready();
}
