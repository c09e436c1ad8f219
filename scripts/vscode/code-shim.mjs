#!/usr/bin/env node
// Poses as the VS Code executable for @vscode/test-electron: runTests({ vscodeExecutablePath: <this file> })
// spawns it with Electron-style flags and only looks at the exit code, so translating the flags into a
// run-host-tests.mjs run keeps the standard test-electron entry point usable where VS Code can't be downloaded.
// test-electron passes: [launchArgs...] --no-sandbox ... --extensionTestsPath=X --extensionDevelopmentPath=Y
//   --extensions-dir=... --user-data-dir=...; a first positional launch arg is the folder to open.
// extensionTestsEnv arrives as our environment and flows through code-server into the extension host.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = { ...process.env };
const argv = process.argv.slice(2);
const positional = [];
let devPaths = 0;
for (let i = 0; i < argv.length; i++) {
  const m = /^--(extensionDevelopmentPath|extensionTestsPath)(?:=(.*))?$/.exec(argv[i]);
  const value = m && path.resolve(m[2] ?? argv[++i]);
  if (m?.[1] === 'extensionTestsPath') env.EXT_TESTS_PATH = value;
  // the payload carries one development path; more would need a workbench each
  else if (m && devPaths++) console.error(`code-shim: ignoring extra --extensionDevelopmentPath ${value}`);
  else if (m) env.EXT_DEV_PATH = value;
  else if (!argv[i].startsWith('-')) positional.push(argv[i]);
  // the rest (--no-sandbox, --user-data-dir=..., --extensions-dir=...) means nothing to a throw-away code-server
}
if (!env.EXT_TESTS_PATH) {
  console.error('code-shim: --extensionTestsPath missing');
  process.exit(2);
}
// electron require()s extensionTestsPath, so callers often omit the .js; the remote extension host needs it
if (!fs.existsSync(env.EXT_TESTS_PATH) && fs.existsSync(env.EXT_TESTS_PATH + '.js'))
  env.EXT_TESTS_PATH += '.js';
if (positional[0]) env.HOST_TEST_FOLDER = path.resolve(positional[0]);

const child = spawn(process.execPath, [path.join(here, 'run-host-tests.mjs')], { stdio: 'inherit', env });
// test-electron stops "VS Code" with SIGINT on Ctrl+C: pass it on so the runner kills its code-server group
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
