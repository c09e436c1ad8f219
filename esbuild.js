// One script builds every bundle: the CLI, the parse worker, (later) the extension host and webviews.
// `node esbuild.js` builds once; `--watch` rebuilds on change; `--production` minifies.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Bundles that run in Node (CLI, worker, extension host). */
const nodeTargets = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/engine/pool/worker.ts'], outfile: 'dist/worker.js' },
  { entryPoints: ['src/synth/make-demo.ts'], outfile: 'dist/make-demo.js' },
].filter((t) => t.entryPoints.every((p) => fs.existsSync(p)));

/** The tests that run inside the extension host (mocha is loaded from node_modules at run time). */
const hostTestTargets = [
  { entryPoints: ['test/extension/index.ts'], outfile: 'out/test/extension/index.js' },
].filter((t) => t.entryPoints.every((p) => fs.existsSync(p)));

/** Bundles that run inside webviews (browser, no Node). */
const webTargets = ['dashboard', 'events', 'compare', 'timeline']
  .map((v) => ({ entryPoints: [`webview/${v}/main.ts`], outfile: `dist/webview/${v}.js` }))
  .filter((t) => t.entryPoints.every((p) => fs.existsSync(p)));

/** The chart library, one bundle shared by every view and loaded only when a chart is drawn (webview/common/charts.ts). */
webTargets.push(
  ...[{ entryPoints: ['webview/charts/main.ts'], outfile: 'dist/webview/charts.js' }].filter((t) =>
    t.entryPoints.every((p) => fs.existsSync(p)),
  ),
);

/** Files webviews load as they are (node_modules is not packaged with the extension). */
function copyAssets() {
  const out = path.join(__dirname, 'dist', 'media');
  fs.mkdirSync(out, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(__dirname, 'node_modules/@vscode/codicons/dist', f), path.join(out, f));
  }
}

async function main() {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
  const contexts = [
    ...nodeTargets.map((t) =>
      esbuild.context({
        ...common,
        ...t,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['vscode'],
      }),
    ),
    ...hostTestTargets.map((t) =>
      esbuild.context({
        ...common,
        ...t,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['vscode', 'mocha'],
      }),
    ),
    // webviews load arrow (and the chart bundle): minified, they start noticeably faster
    ...webTargets.map((t) =>
      esbuild.context({
        ...common,
        ...t,
        minify: true,
        sourcemap: false,
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
      }),
    ),
  ];
  const ctxs = await Promise.all(contexts);
  if (watch) {
    copyAssets();
    await Promise.all(ctxs.map((c) => c.watch()));
    return;
  }
  copyAssets();
  await Promise.all(ctxs.map((c) => c.rebuild()));
  await Promise.all(ctxs.map((c) => c.dispose()));
  const cli = path.join(__dirname, 'dist/cli.js');
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
