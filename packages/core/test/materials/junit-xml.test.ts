import '../hang-guard';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { create } from 'tar';
import { fixtureDir, VECTORS } from './fixture-dir';

const junit = materialKind('JUNIT_XML');
/** Reports written by other tools than Node's (see the README there for where each format comes from). */
const TOOL_REPORTS = join(import.meta.dirname, 'fixtures', 'junit');
const inspect = (value: string, cwd: string) => junit.inspect({ name: 'tests', value, cwd });

/**
 * Runs Node's own test runner with its JUnit reporter on a test file, as a user's CI would, and returns the report's
 * path. NODE_TEST_CONTEXT is dropped so the nested runner reports for itself instead of to this test run.
 */
function nodeJunitReport(dir: string, name: string, source: string): string {
  const testFile = join(dir, `${name}.test.mjs`);
  const report = join(dir, `${name}.xml`);
  writeFileSync(testFile, source);
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=junit', `--test-reporter-destination=${report}`, testFile],
    { cwd: dir, env, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.error, undefined, `node --test did not run: ${run.error}`);
  return report;
}

/** Zips files with Debian's python3 (the zipfile module), a real zip writer independent of our reader. */
function zip(archive: string, files: string[]): void {
  execFileSync('/usr/bin/python3', [
    '-c',
    'import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n  for f in sys.argv[2:]: z.write(f, os.path.basename(f))',
    archive,
    ...files,
  ]);
}

describe('JUNIT_XML', () => {
  it('accepts a single report and the zip and tar.gz archives of reports, recording the original file', async () => {
    for (const file of ['junit.xml', 'tests.zip', 'tests.tar.gz']) {
      assert.deepEqual(await inspect(file, VECTORS), {
        shape: 'file',
        path: join(VECTORS, file),
        fileName: file,
        annotations: {},
      });
    }
  });

  it("accepts the reports of Node's own test runner: top-level tests, describe blocks and both", {
    timeout: 120_000,
  }, async () => {
    const { dir } = fixtureDir();
    const accepted = async (file: string) =>
      assert.deepEqual(await inspect(file, dir), {
        shape: 'file',
        path: join(dir, file),
        fileName: file,
        annotations: {},
      });
    // Top-level test() calls: Node writes their <testcase>s straight under <testsuites>, with no <testsuite>.
    const top = nodeJunitReport(
      dir,
      'top-level',
      [
        "import { test } from 'node:test';",
        "import assert from 'node:assert';",
        "test('adds', () => assert.equal(1 + 1, 2));",
        "test('divides', () => assert.equal(6 / 3, 3));",
        "test('multiplies', { skip: 'not yet' }, () => {});",
      ].join('\n'),
    );
    assert.match(readFileSync(top, 'utf8'), /<testsuites>\s*<testcase name="adds"/);
    assert.doesNotMatch(readFileSync(top, 'utf8'), /<testsuite[\s>]/);
    await accepted('top-level.xml');

    const described = nodeJunitReport(
      dir,
      'described',
      [
        "import { describe, it } from 'node:test';",
        "describe('calculator', () => { it('adds', () => {}); describe('parse', () => { it('reads digits', () => {}); }); });",
      ].join('\n'),
    );
    assert.match(readFileSync(described, 'utf8'), /<testsuites>\s*<testsuite name="calculator"/);
    await accepted('described.xml');

    nodeJunitReport(
      dir,
      'mixed',
      [
        "import { describe, it, test } from 'node:test';",
        "test('stands alone', () => {});",
        "describe('calculator', () => { it('adds', () => {}); });",
      ].join('\n'),
    );
    await accepted('mixed.xml');
  });

  it('accepts the reports of Maven Surefire (JUnit 5), pytest and go-junit-report', { timeout: 30_000 }, async () => {
    for (const file of ['TEST-com.example.CalculatorTest.xml', 'pytest-junitxml.xml', 'go-junit-report.xml']) {
      assert.deepEqual(await inspect(file, TOOL_REPORTS), {
        shape: 'file',
        path: join(TOOL_REPORTS, file),
        fileName: file,
        annotations: {},
      });
    }
  });

  it('accepts a lone <testsuite> root', async () => {
    const { dir, write } = fixtureDir();
    const path = write('suite.xml', '<testsuite name="a" tests="1"><testcase name="t"/></testsuite>');
    assert.deepEqual(await inspect('suite.xml', dir), { shape: 'file', path, fileName: 'suite.xml', annotations: {} });
    // The same report without its <testsuite> root is not one.
    write('case.xml', '<testcase name="t"/>');
    await assert.rejects(inspect('case.xml', dir), { message: /the root element is <testcase>/ });
  });

  it('refuses XML that is not a JUnit report, and a report without suites', async () => {
    const { dir, write } = fixtureDir();
    write('pom.xml', '<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>');
    write('empty-suites.xml', '<testsuites></testsuites>');
    await assert.rejects(inspect('pom.xml', dir), {
      code: 'MATERIAL_INVALID',
      message:
        'material "tests": file pom.xml is not a valid JUNIT_XML: the root element is <project>, expected <testsuites> or <testsuite>',
    });
    await assert.rejects(inspect('empty-suites.xml', dir), { message: /: no test suite found$/ });
    await assert.rejects(inspect('jacoco.xml', VECTORS), { message: /the root element is <report>/ });
    await assert.rejects(inspect('random.json', VECTORS), {
      message: /it is neither XML nor a \.zip or \.tar\.gz of XML reports$/,
    });
  });

  it('names the archive entry that is not a report', async () => {
    const { dir, write } = fixtureDir();
    const good = join(dir, 'TEST-good.xml');
    copyFileSync(join(VECTORS, 'junit.xml'), good);
    const bad = write('coverage.xml', '<coverage line-rate="0.5"/>');
    zip(join(dir, 'mixed.zip'), [good, bad]);
    await assert.rejects(inspect('mixed.zip', dir), {
      message:
        'material "tests": file mixed.zip is not a valid JUNIT_XML: coverage.xml: the root element is <coverage>, expected <testsuites> or <testsuite>',
    });
    zip(join(dir, 'good.zip'), [good]);
    assert.deepEqual(await inspect('good.zip', dir), {
      shape: 'file',
      path: join(dir, 'good.zip'),
      fileName: 'good.zip',
      annotations: {},
    });
  });

  it('refuses archives without any .xml file', async () => {
    const { dir } = fixtureDir();
    mkdirSync(join(dir, 'reports'));
    copyFileSync(join(VECTORS, 'simple.txt'), join(dir, 'reports', 'notes.txt'));
    await create({ gzip: true, file: join(dir, 'no-xml.tar.gz'), cwd: dir }, ['reports']);
    zip(join(dir, 'no-xml.zip'), [join(dir, 'reports', 'notes.txt')]);
    await assert.rejects(inspect('no-xml.tar.gz', dir), { message: /: the archive holds no \.xml file$/ });
    await assert.rejects(inspect('no-xml.zip', dir), { message: /: the archive holds no \.xml file$/ });
  });

  it('refuses a corrupt gzip', async () => {
    const { dir, write } = fixtureDir();
    write('broken.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 7)]));
    await assert.rejects(inspect('broken.tar.gz', dir), {
      code: 'MATERIAL_INVALID',
      message: /not a readable tar archive/,
    });
  });
});
