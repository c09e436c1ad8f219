// `npm start`: VS Code with the extension on the demo runs.
// With a desktop VS Code on PATH (`code`), it opens the demo workspace with this checkout as the extension under
// development. Otherwise (servers, containers, this kind of machine) it provisions code-server once (Node 24 and
// code-server from the npm registry; see scripts/vscode/) and serves VS Code on http://127.0.0.1:8080/.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const workspace = path.join(root, '.cache/demo');
run(process.execPath, [path.join(root, 'scripts/make-workspace.mjs'), workspace]);

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
const stop = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(
  `\nVS Code with the DFTracer extension: http://127.0.0.1:${port}/?folder=${workspace}\nCtrl+C stops it.\n`,
);
server.on('exit', (code) => process.exit(code ?? 0));
