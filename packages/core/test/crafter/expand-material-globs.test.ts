import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { expandMaterialGlobs } from '../../src/crafter/expand-material-globs';

const root = mkdtempSync(join(tmpdir(), 'expand-globs-'));
after(() => rmSync(root, { recursive: true, force: true }));

function files(...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), 'x');
  }
}

files(
  'reports/z-last.xml',
  'reports/unit/b.xml',
  'reports/unit/a.xml',
  'reports/integration/deep/c.xml',
  'reports/notes.txt',
  'reports/.hidden/h.xml',
  'reports/.dot.xml',
  'other/x.sarif',
);
// A folder whose name matches the pattern is not a match.
mkdirSync(join(root, 'reports', 'folder.xml'), { recursive: true });

describe('--from-glob pattern expansion', { timeout: 20_000 }, () => {
  test('** crosses folders; matches are files only, sorted by path; hidden ones need a pattern naming them', async () => {
    const { files: matched, unmatched } = await expandMaterialGlobs(['reports/**/*.xml'], root);
    assert.deepEqual(matched, [
      'reports/integration/deep/c.xml',
      'reports/unit/a.xml',
      'reports/unit/b.xml',
      'reports/z-last.xml',
    ]);
    assert.deepEqual(unmatched, []);
    assert.deepEqual((await expandMaterialGlobs(['reports/.*.xml'], root)).files, ['reports/.dot.xml']);
  });

  test('* stays in one folder; a folder alone matches nothing', async () => {
    assert.deepEqual((await expandMaterialGlobs(['reports/*.xml'], root)).files, ['reports/z-last.xml']);
    assert.deepEqual(await expandMaterialGlobs(['reports'], root), { files: [], unmatched: ['reports'] });
  });

  test('several patterns: a file matched twice once, the ones matching nothing listed in order', async () => {
    const result = await expandMaterialGlobs(
      ['other/*.sarif', 'missing/**/*.xml', 'reports/unit/*.xml', 'reports/**/a.xml', '*.nothing'],
      root,
    );
    assert.deepEqual(result.files, ['other/x.sarif', 'reports/unit/a.xml', 'reports/unit/b.xml']);
    assert.deepEqual(result.unmatched, ['missing/**/*.xml', '*.nothing']);
  });

  test('relative to the working directory given, or absolute', async () => {
    assert.deepEqual((await expandMaterialGlobs(['*.xml'], join(root, 'reports', 'unit'))).files, ['a.xml', 'b.xml']);
    assert.deepEqual((await expandMaterialGlobs([join(root, 'other', '*.sarif')], root)).files, ['other/x.sarif']);
  });

  test('excluded files are not matches (the crafting state under **/*.json)', async () => {
    const result = await expandMaterialGlobs(['reports/unit/*.xml'], root, (path) => path.endsWith('a.xml'));
    assert.deepEqual(result.files, ['reports/unit/b.xml']);
  });

  test('an empty pattern is a usage error', async () => {
    await assert.rejects(expandMaterialGlobs([''], root), { code: 'GLOB_PATTERN_EMPTY', exitCode: 2 });
  });
});
