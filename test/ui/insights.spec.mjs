// The Insights a researcher sees: findings at the top of the dashboard, worst first, expandable to their evidence,
// each example opening its event; and, in a comparison, which rules SCR fixed and which it broke.
import { expect, test } from '@playwright/test';
import { contextMenu, openWorkbench, shot, showRunsView, webview } from './helpers.mjs';

test.describe.configure({ mode: 'serial' });

test('the dashboard opens on its insights; a finding expands to its evidence and an example opens its event', async ({
  page,
}, testInfo) => {
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await contextMenu(page, page.getByRole('treeitem', { name: /^scr-flush/ }), 'Open Dashboard');
  const dash = webview(page);
  const insights = dash.getByTestId('insights');
  await expect(insights.getByTestId('insight').first()).toBeVisible({ timeout: 240_000 });
  // worst first: a warning before the informational checkpoint share
  const rules = await insights.getByTestId('insight').evaluateAll((els) => els.map((e) => e.dataset.rule));
  expect(rules).toContain('checkpoint-share');
  expect(rules[rules.length - 1]).toBe('checkpoint-share');
  // the rules that need what this trace lacks say why
  await insights.locator('.insights-more summary').click();
  await expect(insights.getByTestId('insights-not-evaluated')).toContainText('needs a baseline');
  const ckpt = insights.locator('[data-rule=checkpoint-share]');
  await ckpt.locator('summary').click();
  await expect(ckpt.locator('table.evidence')).toContainText('checkpoint share of wall time');
  await shot(page, 'dashboard-insights');
  // an example of a finding on an accessed file opens that file's event list with the event selected
  const withFile = insights.locator('[data-testid=insight]:not([data-rule=checkpoint-share])').first();
  await withFile.locator('summary').click();
  await withFile.getByTestId('insight-example').first().click();
  const list = webview(page, 1);
  await expect(list.locator('[data-selected="true"]')).toBeVisible({ timeout: 60_000 });
});

test('a comparison says per rule what SCR fixed and what it broke', async ({ page }, testInfo) => {
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await contextMenu(page, page.getByRole('treeitem', { name: /^baseline/ }), 'Set as Baseline');
  await contextMenu(page, page.getByRole('treeitem', { name: /^scr-flush/ }), 'Compare with Baseline');
  const cmp = webview(page);
  const diff = cmp.getByTestId('rule-diffs');
  // the SCR cache (node-local SSD) writes slower than the baseline's Lustre: a new finding in the SCR run
  const row = diff.locator('[data-testid=rule-diff][data-rule=scr-cache-slower-than-pfs]');
  await expect(row).toHaveAttribute('data-change', 'new', { timeout: 240_000 });
  await expect(row).toContainText('baseline PFS write bandwidth');
  await expect(diff.locator('[data-rule=checkpoint-share]')).toHaveAttribute('data-change', 'fired');
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'compare-insights');
});
