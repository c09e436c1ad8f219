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

// Made cases the UI must explain (issue 15): a `.gz` that is not gzip, an empty file, writes that all take the same
// time, and an LD_PRELOAD-like run whose heaviest "files" are the runtime's (/proc, /sys, /dev, shared libraries)
// next to the application's own (one named like markup, which must show as text).
import { writeFileSync } from 'node:fs';
const line = (o) => JSON.stringify(o);
const ev = (id, name, ts, dur, fname, extra = {}) =>
  line({
    id,
    name,
    cat: 'POSIX',
    pid: 7,
    tid: 7,
    ts,
    dur,
    ph: 'X',
    args: { fname, hostname: 'node9', ...extra },
  });
const problems = path.join(dir, 'problems');
mkdirSync(problems, { recursive: true });
const few = [
  '[',
  ...Array.from({ length: 10 }, (_, i) =>
    ev(i + 1, 'write', 1_000_000 + i * 100, 50, '/tmp/a.dat', { count: 4096, ret: 4096 }),
  ),
];
// plain text under a .gz name: a copy step that forgot to compress, or renamed the file
writeFileSync(path.join(problems, 'not-gzip.pfw.gz'), few.join('\n') + '\n');
writeFileSync(path.join(problems, 'empty.pfw'), '');
const uniform = path.join(dir, 'uniform-writes');
mkdirSync(uniform, { recursive: true });
writeFileSync(
  path.join(uniform, 'uniform.pfw'),
  [
    '[',
    ...Array.from({ length: 400 }, (_, i) =>
      ev(i + 1, 'write', 2_000_000 + i * 1000, 250, '/p/lustre1/u/out.dat', { count: 1 << 20, ret: 1 << 20 }),
    ),
  ].join('\n') + '\n',
);
const preload = path.join(dir, 'ld-preload');
mkdirSync(preload, { recursive: true });
const sys = [
  ['/proc/cpuinfo', 'read', 900],
  ['/proc/self/maps', 'read', 700],
  ['/sys/class/infiniband/mlx5_0/ports/1/state', 'read', 650],
  ['/dev/infiniband/uverbs0', 'open64', 600],
  ['/usr/lib/x86_64-linux-gnu/openmpi/lib/libmca_common_ucx.so.40', 'read', 500],
  ['/usr/lib/x86_64-linux-gnu/openmpi/lib/libmca_common_ompio.so.41', 'read', 480],
  ['/etc/hosts', 'read', 300],
];
const app = [
  ['/dev/shm/scr.defjobid/scr.dataset.1/ckpt.0', 'write', 250],
  ['/p/lustre1/u/run/ckpt-1.pt', 'write', 200],
  ['/p/lustre1/u/run/<b>wr</b><img src=x onerror=alert(1)>.dat', 'write', 120],
];
let id = 1;
let ts = 3_000_000;
const preloadLines = ['['];
for (const [fname, op, dur] of [...sys, ...app])
  for (let k = 0; k < 20; k++) {
    const io = op === 'open64' ? {} : { count: 65536, ret: 65536 };
    preloadLines.push(ev(id++, op, (ts += 500), dur + k, fname, io));
  }
writeFileSync(path.join(preload, 'app-7.pfw'), preloadLines.join('\n') + '\n');
