// `npm start [-- <folder of traces>]`: VS Code with the extension, on the user's traces or on generated demo runs.
// With a desktop VS Code on PATH (`code`), it opens the folder with this checkout as the extension under
// development. Otherwise (servers, containers, this kind of machine) it provisions code-server once (Node 24 and
// code-server from the npm registry, Debian packages through apt: root or sudo; see scripts/vscode/) and serves
// VS Code on http://127.0.0.1:$PORT/ [8080], printing the address once the server answers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const fail = (msg) => {
  console.error(`npm start: ${msg}`);
  process.exit(2);
};

// npm runs scripts in the package folder: a relative path is the user's, from where they typed the command
const given = process.argv[2];
let workspace;
if (given !== undefined) {
  workspace = path.resolve(process.env.INIT_CWD || process.cwd(), given);
  if (!existsSync(workspace) || !statSync(workspace).isDirectory())
    fail(`${workspace} is not a folder (give the folder that holds your .pfw / .pfw.gz traces)`);
} else {
  workspace = path.join(root, '.cache/demo');
  run(process.execPath, [path.join(root, 'scripts/make-workspace.mjs'), workspace]);
}

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.DFTRACE_USE_CODE_SERVER) {
  run('code', [`--extensionDevelopmentPath=${root}`, workspace]);
  process.exit(0);
}
run('sh', [path.join(root, 'scripts/vscode/setup-tools.sh')]);
run('npm', ['run', 'package', '--silent']);
const port = process.env.PORT || '8080';
const server = spawn('sh', [path.join(root, 'scripts/vscode/start-code-server.sh')], {
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
  env: {
    ...process.env,
    CS_PORT: port,
    CS_STATE: path.join(root, '.cache/cs-start'),
    CS_WORKSPACE: workspace,
    CS_INSTALL: 'vsix',
  },
});
let stopping = false;
const stop = () => {
  stopping = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => {
  if (stopping) return;
  console.error(
    `npm start: code-server stopped (exit ${code}); is port ${port} free? (PORT=<port> npm start)`,
  );
  process.exit(code || 1);
});

// installing the extension and starting the server take a few seconds: an address printed earlier would not answer
const url = `http://127.0.0.1:${port}/`;
const deadline = Date.now() + 120_000;
for (;;) {
  const ok = await fetch(`${url}healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (Date.now() > deadline) {
    console.error(`npm start: code-server did not answer on ${url} within 2 minutes`);
    stop();
  }
  await new Promise((r) => setTimeout(r, 500));
}
console.log(
  `\nVS Code with the DFTracer extension: ${url}?folder=${encodeURI(workspace)}\nCtrl+C stops it.\n`,
);
