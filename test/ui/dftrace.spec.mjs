// What a person does: open a trace from the explorer, walk the runs tree, jump from a slow write to its event,
// compare a baseline with an SCR run. The screenshots these tests take are the README's.
import { expect, test } from '@playwright/test';
import { contextMenu, openWorkbench, shot, showRunsView, webview } from './helpers.mjs';

test.describe.configure({ mode: 'serial' });

test('opening a .pfw.gz from the explorer shows its dashboard with the right event count', async ({
  page,
}, testInfo) => {
  await openWorkbench(page, testInfo);
  await page.getByRole('treeitem', { name: 'dlio-pytorch-2023' }).click();
  await page.getByRole('treeitem', { name: 'test-trace.pfw.gz' }).dblclick();
  const dash = webview(page);
  // 93,894 complete events: the reference figure of ../shared/traces/dlio-pytorch-2023
  await expect(dash.getByTestId('event-count')).toHaveText('93,894', { timeout: 90_000 });
  await expect(dash.getByTestId('top-files-chart')).toBeVisible();
  await shot(page, 'dashboard-dlio-pytorch');
});

test('the runs tree expands run → tier → file → op, and an op opens its event list', async ({
  page,
}, testInfo) => {
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await page.getByRole('treeitem', { name: /^scr-flush/ }).click();
  const ssd = page.getByRole('treeitem', { name: /^SSD/ });
  await expect(ssd).toBeVisible({ timeout: 90_000 });
  await ssd.click();
  // files come heaviest first: the first one under SSD
  const file = page.locator('[role=treeitem][aria-level="3"]').first();
  await expect(file).toBeVisible();
  await file.click();
  const write = page.locator('[role=treeitem][aria-level="4"]', { hasText: /^write/ }).first();
  await expect(write).toBeVisible();
  await write.click();
  const list = webview(page);
  await expect(list.locator('[role=grid]')).toBeVisible({ timeout: 60_000 });
  await expect(list.locator('[role=row][aria-rowindex]').first()).toBeVisible({ timeout: 60_000 });
  await expect(list.getByText(/write/).first()).toBeVisible();
  await shot(page, 'runs-tree-and-event-list');
});

test('clicking a slow write in the dashboard shows that event selected in the file’s event list', async ({
  page,
}, testInfo) => {
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await contextMenu(page, page.getByRole('treeitem', { name: /^scr-flush/ }), 'Open Dashboard');
  const dash = webview(page);
  const slow = dash.getByTestId('slow-write').first();
  await expect(slow).toBeVisible({ timeout: 90_000 });
  await shot(page, 'dashboard-scr-flush');
  // the cell may cut a long path in the middle; its title holds the whole path
  const file = await slow.locator('td').nth(6).getAttribute('title');
  const duration = (await slow.locator('td').nth(2).textContent()).trim();
  await slow.click();
  // the event list opens beside the dashboard, on that file, with the slow write selected
  const list = webview(page, 1);
  const selected = list.locator('[data-selected="true"]');
  await expect(selected).toBeVisible({ timeout: 60_000 });
  await expect(selected).toContainText(duration);
  await expect(list.getByText(file).first()).toBeVisible();
  await shot(page, 'slow-write-selected');
});

test('baseline versus SCR in two clicks: set baseline, compare', async ({ page }, testInfo) => {
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await contextMenu(page, page.getByRole('treeitem', { name: /^baseline/ }), 'Set as Baseline');
  await contextMenu(page, page.getByRole('treeitem', { name: /^scr-flush/ }), 'Compare with Baseline');
  const cmp = webview(page);
  const metrics = cmp.getByTestId('compare-metrics');
  await expect(metrics).toBeVisible({ timeout: 90_000 });
  // checkpoint time: about 100 s straight to Lustre, about 375 s through SCR with the flush competing
  const row = metrics.locator('[data-metric=checkpointTime]');
  await expect(row.locator('[data-run="0"]')).toHaveText(/^10\d\.\d+ s$/);
  await expect(row.locator('[data-run="1"]')).toHaveText(/^3\d\d\.\d+ s$/);
  // POSIX time on the parallel file system: about 101 s straight to Lustre; several hundred s with the flush
  const pfs = metrics.locator('[data-metric="posixTime.PFS"]');
  await expect(pfs.locator('[data-run="0"]')).toHaveText(/^10\d\.\d+ s$/);
  await expect(pfs.locator('[data-run="1"]')).toHaveText(/^\d{3}\.\d+ s$/);
  await expect(cmp.getByTestId('timeline-1')).toBeVisible();
  await shot(page, 'compare-baseline-scr');
  // a slow write on the SCR side opens the SCR run's event list with that write selected
  const slow = cmp.locator('[data-testid=compare-slow-write][data-run="1"]').first();
  await slow.scrollIntoViewIfNeeded();
  const duration = (await slow.locator('td').nth(1).textContent()).trim();
  await slow.click();
  const list = webview(page, 1);
  const selected = list.locator('[data-selected="true"]');
  await expect(selected).toBeVisible({ timeout: 60_000 });
  await expect(selected).toContainText(duration);
  await expect(list.getByText(/Run: scr-flush/)).toBeVisible();
  await shot(page, 'compare-slow-write-selected');
});
