// The folder the UI tests, the host tests and `npm start` open: generated demo runs (the product makes its own
// data) and, when ../shared/traces is beside the checkout (CI, developers), a copy of one real trace.
//   node scripts/make-workspace.mjs <dir>
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(process.argv[2] ?? path.join(root, '.cache/demo'));
const demo = spawnSync(process.execPath, [path.join(root, 'dist/make-demo.js'), dir], { stdio: 'inherit' });
if (demo.status !== 0) process.exit(demo.status ?? 1);
const shared = path.resolve(root, '../shared/traces/dlio-pytorch-2023/test-trace.pfw.gz');
if (existsSync(shared)) {
  const to = path.join(dir, 'dlio-pytorch-2023');
  mkdirSync(to, { recursive: true });
  // a copy: the shared traces are read-only and must never be edited, even by accident
  copyFileSync(shared, path.join(to, 'test-trace.pfw.gz'));
}
