import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

// The extension's details page renders the packaged README with its links kept relative
// (--no-rewrite-relative-links): every file it links to or shows must be in the package.
describe('packaged extension (vsce ls)', () => {
  it('contains every file the README links to, its screenshots among them, and no link leaves the repository', () => {
    const r = spawnSync(
      process.execPath,
      [resolve(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const packaged = new Set(
      r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((l) => !/^(https?:|mailto:|#)/.test(l))
      .map((l) => l.replace(/#.*$/, ''));
    assert.ok(
      links.some((l) => l.startsWith('docs/screenshots/')),
      'the README shows screenshots',
    );
    assert.deepEqual(
      links.filter((l) => l.startsWith('..') || l.startsWith('/')),
      [],
    );
    assert.deepEqual(
      links.filter((l) => !packaged.has(l)),
      [],
    );
  });
});
