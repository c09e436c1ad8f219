// Playwright UI tests (test/ui/*.spec.mjs) against the packaged extension in a throw-away code-server.
//   npx playwright test -c scripts/vscode/playwright.config.mjs
// Uses Debian's chromium (never `playwright install`: no browser downloads here). Env: CS_VSIX
// [out/dftrace-vscode.vsix], CS_PORT [8090], CS_STATE [<repo>/.cs-state], CS_WORKSPACE (folder the server
// opens; specs get it as testInfo.config.metadata.workspace), UI_TESTS_DIR [test/ui], CHROMIUM_PATH, CI.
import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const PORT = Number(process.env.CS_PORT || 8090);
const STATE = path.resolve(process.env.CS_STATE || path.join(root, '.cs-state'));
const WORKSPACE = path.resolve(process.env.CS_WORKSPACE || path.join(STATE, 'ws'));
const VSIX = path.resolve(process.env.CS_VSIX || path.join(root, 'out/dftrace-vscode.vsix'));
const RESULTS = path.join(root, 'test-results');

export default defineConfig({
  testDir: path.resolve(process.env.UI_TESTS_DIR || path.join(root, 'test/ui')),
  testMatch: '**/*.spec.mjs',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // one code-server shared by all tests, and 2 cores: parallel workbenches only make each other flaky
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['junit', { outputFile: path.join(RESULTS, 'ui-tests.xml') }]],
  outputDir: RESULTS,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1400, height: 900 },
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      // chromium writes ~/.config/chromium/Crash Reports otherwise (TMPDIR stays: see run-host-tests.mjs)
      env: { ...process.env, XDG_CONFIG_HOME: path.join(STATE, 'xdg/chromium') },
      args: [
        '--headless',
        '--no-sandbox', // root in CI containers
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // no phoning home from an offline machine (would only add timeouts)
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // exec: code-server then IS the process whose group Playwright kills at the end
    command: `exec sh ${path.join(here, 'start-code-server.sh')}`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    env: {
      CS_PORT: String(PORT),
      CS_STATE: STATE,
      CS_WORKSPACE: WORKSPACE,
      CS_INSTALL: 'vsix',
      CS_VSIX: VSIX,
    },
    timeout: 60_000,
    // a server from an earlier run would carry its old extension; the start script wipes its state instead
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
  metadata: { workspace: WORKSPACE, resultsDir: RESULTS },
});
