// Entry of the tests that run inside VS Code's extension host (the @vscode/test-electron contract: a module
// exporting run()). Bundled by esbuild to out/test/extension/index.js; mocha itself is loaded from node_modules.
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const reportDir = path.resolve(__dirname, '../../../test-results');
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    color: false,
    // HOST_TESTS_GREP=insights runs only the matching tests (iterating on one area on a busy machine)
    ...(process.env.HOST_TESTS_GREP ? { grep: process.env.HOST_TESTS_GREP } : {}),
    reporter: process.env.HOST_TESTS_JUNIT ? 'xunit' : 'spec',
    reporterOptions: process.env.HOST_TESTS_JUNIT
      ? { output: path.join(reportDir, 'host-tests.xml') }
      : undefined,
  });
  mocha.suite.emit('pre-require', globalThis, 'extension-host', mocha);
  // the suites register themselves with the globals set up just above
  await import('./extension.test.js');
  await import('./demo.test.js');
  await import('./insights.test.js');
  await new Promise<void>((resolve, reject) =>
    mocha.run((failures) =>
      failures ? reject(new Error(`${failures} extension host tests failed`)) : resolve(),
    ),
  );
}
