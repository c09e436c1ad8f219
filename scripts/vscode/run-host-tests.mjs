// Run mocha tests INSIDE code-server's Node extension host: the extensionDevelopmentPath/extensionTestsPath
// contract of @vscode/test-electron, delivered through the web workbench's `payload` URL parameter because
// desktop VS Code cannot be downloaded here. Exit code: the tests' (0/1), 2 on timeout.
// Env: EXT_DEV_PATH [<repo>], EXT_TESTS_PATH [<repo>/out/test/extension/index.js], HOST_TEST_FOLDER (folder to
// open) [an empty dir], CS_PORT [8091], CS_STATE [<repo>/.cs-state-host], HOST_TEST_TIMEOUT_MS [600000],
// HOST_TEST_VERBOSE=1 (all workbench logs), HOST_TEST_SERVER_LOG=1, CHROMIUM_PATH [/usr/bin/chromium].
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const env = process.env;
const PORT = Number(env.CS_PORT || 8091);
const STATE = path.resolve(env.CS_STATE || path.join(root, '.cs-state-host'));
const devPath = path.resolve(env.EXT_DEV_PATH || root);
const testsPath = path.resolve(env.EXT_TESTS_PATH || path.join(root, 'out/test/extension/index.js'));
const folder = path.resolve(env.HOST_TEST_FOLDER || path.join(STATE, 'ws'));
const TIMEOUT = Number(env.HOST_TEST_TIMEOUT_MS || 600000);
// workbench chatter that is not test output (shown with HOST_TEST_VERBOSE=1)
const NOISE =
  /open-vsx\.org|marketplace|connection token|Creating a socket|\[Service Worker\]|\[AgentHost|AccountPolicyGate|reconnection-grace-time|additional builtin extensions|Extension host .* started|^Canceled|^\s*at /;
const t0 = Date.now();
const log = (msg) => console.log(`[host-tests] ${msg} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

// code-server leads its own process group so the extension host and watchers die with it
const server = spawn('sh', [path.join(here, 'start-code-server.sh')], {
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...env,
    CS_PORT: String(PORT),
    CS_STATE: STATE,
    CS_WORKSPACE: folder,
    CS_INSTALL: 'none',
    // without the smoke-test driver the built workbench IGNORES extensionDevelopmentPath/extensionTestsPath
    // in `payload` and the run just hangs until the timeout
    CS_EXTRA_ARGS: `--vscode-option enable-smoke-test-driver ${env.CS_EXTRA_ARGS || ''}`,
  },
});
const serverLog = [];
for (const s of [server.stdout, server.stderr]) s.on('data', (d) => serverLog.push(d.toString()));
let serverExited = false;
server.on('exit', () => (serverExited = true));
const killServer = () => {
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

async function waitHealthy() {
  const end = Date.now() + 60000;
  while (Date.now() < end && !serverExited) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('code-server did not become healthy:\n' + serverLog.join(''));
}

let code = 1;
let browser;
try {
  if (folder === path.join(STATE, 'ws')) log(`no HOST_TEST_FOLDER: opening an empty folder`);
  await waitHealthy();
  log(`code-server up on port ${PORT}`);
  browser = await chromium.launch({
    executablePath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    // chromium writes ~/.config/chromium/Crash Reports otherwise. (Not TMPDIR: its SingletonSocket lives there and
    // a deep state dir exceeds the unix socket path limit.)
    env: { ...env, XDG_CONFIG_HOME: path.join(STATE, 'xdg/chromium') },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // The workbench calls window.codeAutomationExit(code) once the extension host running the tests exits,
  // and forwards extension-host console output through window.codeAutomationLog(type, args).
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  await page.exposeFunction('codeAutomationExit', (c) => resolveDone(c));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // args are the raw console arguments (printf-style format + values, e.g. mocha's spec reporter)
    const text = Array.isArray(args) ? format(...args) : String(args);
    if (env.HOST_TEST_VERBOSE) return console.log(`[${type}] ${text}`);
    if (NOISE.test(text)) return;
    // workbench errors carry long minified stacks: the first lines are enough
    console.log(type === 'info' ? text : `[${type}] ${text.split('\n').slice(0, 3).join('\n')}`);
  });

  const authority = `127.0.0.1:${PORT}`;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(devPath)],
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
  ]);
  log(`extension ${devPath}, tests ${testsPath}, folder ${folder}`);
  await page.goto(
    `http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`,
  );
  log(`workbench loading, waiting up to ${TIMEOUT / 1000}s for the tests`);
  code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT))]);
  // HOST_TEST_SHOT=<png>: what the workbench looked like when the tests ended (for debugging a failure)
  if (process.env.HOST_TEST_SHOT) await page.screenshot({ path: process.env.HOST_TEST_SHOT }).catch(() => {});
  if (code === 'timeout') {
    const shot = path.join(root, 'test-results', 'host-tests-timeout.png');
    mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`[host-tests] TIMEOUT, screenshot ${shot}; server log:\n${serverLog.join('')}`);
    code = 2;
  }
  if (env.HOST_TEST_SERVER_LOG) console.log('[host-tests] server log:\n' + serverLog.join(''));
  log(`finished with exit code ${code}`);
} catch (e) {
  console.error('[host-tests] error', e);
  code = 1;
} finally {
  await browser?.close().catch(() => {});
  killServer();
}
process.exit(typeof code === 'number' ? code : 1);
