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
      case 'loadFailed': {
        loaded = false;
        clear(app);
        app.removeAttribute('aria-busy');
        const reload = h(
          'vscode-button',
          { 'data-testid': 'reload', onclick: () => host.send({ type: 'reload' }) },
          icon('refresh'),
          ' Reload',
        );
        // a cancel is the user's choice, not an error: say so plainly and offer the way back
        const cancelled = /^cancell?ed$/i.test(msg.message.trim());
        app.append(
          h('h1', {}, view.title()),
          cancelled
            ? h(
                'div',
                { class: 'banner info', role: 'status', 'data-testid': 'cancelled' },
                icon('info'),
                'Cancelled. ',
                reload,
              )
            : h(
                'div',
                { class: 'banner error', role: 'alert' },
                icon('error'),
                `Could not read: ${msg.message} `,
                reload,
              ),
        );
        return;
      }
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
