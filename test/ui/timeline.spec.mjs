// The event timeline through the real workbench: open it on a run, select a range and check its aggregate against
// the engine, click an event and jump to its event list, and measure pan/zoom frame times.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { contextMenu, openWorkbench, ROOT, shot, showRunsView, webview } from './helpers.mjs';

test.describe.configure({ mode: 'serial' });
// two engine runs beside the workbench, on a machine that may be shared: more than the suite's default
test.setTimeout(480_000);

const GUTTER = 170; // webview/timeline/lanes-canvas.ts
const HOST_H = 18;
const LANE_H = 18;

/** The engine's answer for the same run, computed outside VS Code. */
function engine(folder, ...args) {
  const out = execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'test/ui/timeline-expect.ts'),
      folder,
      ...args,
    ],
    { encoding: 'utf8', cwd: ROOT },
  );
  return JSON.parse(out);
}

async function geometry(canvas) {
  const box = await canvas.boundingBox();
  const [t0, t1] = (await canvas.getAttribute('data-view')).split(',').map(Number);
  const lanesTop = Number(await canvas.getAttribute('data-lanes-top'));
  const x = (t) => box.x + GUTTER + ((t - t0) / (t1 - t0)) * (box.width - GUTTER);
  // lane 0 sits under its host's header row
  const lane0 = box.y + lanesTop + HOST_H + LANE_H / 2;
  return { box, x, lane0, t0, t1 };
}

test('the timeline of an SCR run: range aggregate equals the engine, an event jumps to its event list, frames stay fast', async ({
  page,
}, testInfo) => {
  const folder = path.join(testInfo.config.metadata.workspace, 'scr-experiment/scr-flush');
  const target = engine(folder, 'target');
  await openWorkbench(page, testInfo);
  await showRunsView(page);
  await contextMenu(page, page.getByRole('treeitem', { name: /^scr-flush/ }), 'Open Timeline');
  const tl = webview(page);
  const canvas = tl.locator('canvas.timeline-canvas');
  await expect(canvas).toHaveAttribute('data-first-paint-ms', /\d+/, { timeout: 120_000 });
  const firstPaintMs = Number(await canvas.getAttribute('data-first-paint-ms'));
  const statusText = await tl.locator('#tl-status').textContent();
  await shot(page, 'timeline-scr-flush');

  // drag across lane 0 around the run's longest write there, then check the aggregate against the engine
  let g = await geometry(canvas);
  const from = g.x(target.ts - target.dur);
  const to = g.x(target.ts + 2 * target.dur);
  await page.mouse.move(from, g.lane0);
  await page.mouse.down();
  await page.mouse.move((from + to) / 2, g.lane0, { steps: 4 });
  await page.mouse.move(to, g.lane0 + LANE_H, { steps: 4 });
  await page.mouse.up();
  const table = tl.locator('#tl-aggregate-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  const t0 = await table.getAttribute('data-t0');
  const t1 = await table.getAttribute('data-t1');
  const lanes = await table.getAttribute('data-lanes');
  const want = engine(folder, 'aggregate', t0, t1, lanes, 'op');
  const total = table.locator('tr.total');
  expect(Number(await total.locator('[data-count]').getAttribute('data-count'))).toBe(want.total.count);
  expect(Number(await total.locator('[data-busy-us]').getAttribute('data-busy-us'))).toBeCloseTo(
    want.total.busyUs,
    3,
  );
  expect(want.total.count).toBeGreaterThan(0);
  await shot(page, 'timeline-selection');

  // zoom to the selection (Z): the write is a third of the width; click it
  await canvas.press('z');
  await expect(canvas).toHaveAttribute('data-view', `${t0},${t1}`);
  await expect
    .poll(async () => Number(await canvas.getAttribute('data-tiles')), { timeout: 30_000 })
    .toBeGreaterThan(1);
  await page.waitForTimeout(500);
  g = await geometry(canvas);
  await page.mouse.click(g.x(target.ts + target.dur / 2), g.lane0 + 4);
  const fields = tl.locator('#tl-event-fields');
  await expect(fields).toBeVisible({ timeout: 30_000 });
  await expect(tl.locator('#tl-event h2')).toHaveText(target.op);
  await expect(fields).toContainText(target.file);
  await expect(fields).toContainText(`:${target.line}`);

  // frame times: keyboard zoom and pan, ctrl+wheel zoom, drag-pan on the ruler
  await canvas.press('0');
  for (const key of ['w', 'w', 'w', 'd', 'd', 'a', 's', 'w', 'd', 's', 's', 'w', 'a', 'a', 'd', 's'])
    await canvas.press(key);
  g = await geometry(canvas);
  await page.mouse.move(g.box.x + g.box.width / 2, g.lane0 + 40);
  await page.keyboard.down('Control');
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, i < 4 ? -200 : 200);
  await page.keyboard.up('Control');
  await page.mouse.move(g.box.x + g.box.width / 2, g.box.y + 8);
  await page.mouse.down();
  for (let i = 0; i < 10; i++) await page.mouse.move(g.box.x + g.box.width / 2 - i * 30, g.box.y + 8);
  await page.mouse.up();
  await page.waitForTimeout(1000);
  const frames = JSON.parse(await canvas.getAttribute('data-frame-ms'));
  const tileMs = Number(await canvas.getAttribute('data-tile-ms'));
  const sorted = [...frames].sort((a, b) => a - b);
  const metrics = {
    run: 'scr-flush',
    loadAverage: loadavg()[0],
    cores: availableParallelism(),
    status: statusText,
    firstPaintMs,
    frames: frames.length,
    frameMsMax: sorted[sorted.length - 1],
    frameMsP95: sorted[Math.ceil(0.95 * sorted.length) - 1],
    frameMsMedian: sorted[Math.ceil(0.5 * sorted.length) - 1],
    lastTileMs: tileMs,
  };
  writeFileSync(
    path.join(testInfo.config.metadata.resultsDir, 'timeline-metrics.json'),
    JSON.stringify(metrics, null, 2),
  );
  console.log('timeline metrics', JSON.stringify(metrics));
  expect(frames.length).toBeGreaterThan(20);
  testInfo.annotations.push({ type: 'timeline frame ms', description: JSON.stringify(metrics) });
  // The 50 ms frame target is checked when the machine is not oversubscribed: on a 2-core VM shared by several
  // builds (load average 20) every frame waits for the CPU, and the figure measures the neighbours, not the view.
  if (metrics.loadAverage <= metrics.cores) expect(metrics.frameMsP95).toBeLessThanOrEqual(50);

  // the call tree and the distributions
  await tl.locator('#tl-tab-tree').click();
  await expect(tl.locator('#tl-icicle')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'timeline-call-tree');
  await tl.locator('#tl-tab-histogram').click();
  await expect(tl.locator('#tl-hist-dur')).toContainText(/p50 .* p99/, { timeout: 30_000 });
  await shot(page, 'timeline-distributions');
  await tl.locator('#tl-tab-timeline').click();

  // the event's file opens in the event list with the event selected
  await tl.locator('#tl-open-events').click();
  const list = webview(page, 1);
  const selected = list.locator('[data-selected="true"]');
  await expect(selected).toBeVisible({ timeout: 60_000 });
  await expect(selected).toContainText(target.op);
});
