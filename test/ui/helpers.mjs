// Shared steps of the UI tests: open the workbench, wait until the extension is active, reach webview content.
/* global window, PerformanceObserver, location */
import { expect } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// A test run must leave the tree clean: screenshots go to the ignored test-results/ unless `npm run screenshots`
// asks for the README's (UI_SCREENSHOTS_DIR=docs/screenshots).
export const SHOTS = path.resolve(ROOT, process.env.UI_SCREENSHOTS_DIR || 'test-results/screenshots');

/** Opens the test workspace and waits for the extension's status bar item (its activation signal). */
export async function openWorkbench(page, testInfo) {
  const folder = testInfo.config.metadata.workspace;
  await page.goto(`/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // the explorer is clickable before the remote extension host registered the custom editor: wait for activation,
  // and for the first search of the workspace (the status bar names a count of runs only after it)
  await expect(page.getByText(/DFTracer: \d+ runs?/)).toBeVisible({ timeout: 120_000 });
}

/** The content of the webview that is in front (VS Code nests each webview two iframes deep). */
export function webview(page, nth = 0) {
  return page.locator('iframe.webview.ready').nth(nth).contentFrame().locator('#active-frame').contentFrame();
}

/** The runs view in the DFTracer activity-bar container. */
export async function showRunsView(page) {
  await page.getByText(/DFTracer: \d+ runs?/).click();
  await expect(page.getByRole('treeitem', { name: /^baseline/ })).toBeVisible({ timeout: 30_000 });
}

/**
 * Chooses an item of a context menu (monaco menus take the keyboard more reliably than clicks). A menu opened
 * before the workbench has applied a context key the item depends on lacks it: close it and open it again.
 */
export async function contextMenu(page, item, label) {
  const entry = page.getByRole('menuitem', { name: label });
  await expect(async () => {
    await page.keyboard.press('Escape');
    await item.click({ button: 'right' });
    await expect(entry).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  await entry.hover();
  await page.keyboard.press('Enter');
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/**
 * Records long tasks (> 50 ms of main-thread work) in every frame of the page: the workbench and each webview
 * frame install a PerformanceObserver before their own scripts run. Call before openWorkbench.
 */
export async function recordLongTasks(page) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          window.__longTasks.push({
            start: e.startTime,
            duration: e.duration,
            // which frame's work it was: a same-site webview shares the workbench's event loop
            from: (e.attribution ?? [])
              .map((a) => `${a.containerType}:${a.containerName || a.containerSrc || a.name}`)
              .join(','),
          });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // a frame without the Long Tasks API reports none
    }
  });
}

/** Long tasks per frame since `sinceMs` (performance.now() of that frame): the workbench first, then webviews. */
export async function longTasks(page, sinceMs = new Map()) {
  const out = [];
  for (const frame of page.frames()) {
    const r = await frame
      .evaluate(() => ({ url: location.href, now: performance.now(), tasks: window.__longTasks ?? [] }))
      .catch(() => undefined);
    if (!r) continue;
    const since = sinceMs.get(frame) ?? 0;
    out.push({
      frame,
      main: frame === page.mainFrame(),
      url: r.url,
      now: r.now,
      tasks: r.tasks.filter((t) => t.start >= since),
    });
  }
  return out;
}
