// npm-groovy-lint 16 (CodeNarc) over the library, the test Jenkinsfiles and the README's examples, with the
// package's .groovylintrc.json. They are copied into one folder first: given paths under different roots, the
// linter scans from / .
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { javaHome, packageDir, pipelinesDir, run } from './support/jenkins-harness';

const linter = join(packageDir, '..', '..', 'node_modules', '.bin', 'npm-groovy-lint');

interface LintReport {
  summary: { totalFilesLinted: number; totalFoundErrorNumber: number; totalFoundWarningNumber: number };
  files: Record<string, { errors: Array<{ line: number; rule: string; severity: string; msg: string }> }>;
}

describe('npm-groovy-lint', { timeout: 180_000 }, () => {
  let dir: string;
  let status: number | null;
  let output: string;
  let report: LintReport;
  const readmeExamples = [
    ...readFileSync(join(packageDir, 'README.md'), 'utf8').matchAll(/```groovy\n([\s\S]*?)```/g),
  ].map((match) => match[1]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jenkins-lint-'));
    cpSync(join(packageDir, 'vars'), join(dir, 'vars'), { recursive: true });
    cpSync(join(packageDir, 'src'), join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'pipelines'));
    for (const file of readdirSync(pipelinesDir)) {
      cpSync(join(pipelinesDir, file), join(dir, 'pipelines', file.replace(/\.Jenkinsfile$/, '.groovy')));
    }
    mkdirSync(join(dir, 'readme'));
    readmeExamples.forEach((example, index) => {
      writeFileSync(join(dir, 'readme', `example${index + 1}.groovy`), example);
    });
    const java = javaHome();
    ({ status, output } = await run(
      linter,
      ['--noserver', '--failon', 'error', '--output', 'json', '--config', packageDir, '--path', dir],
      { PATH: `${join(java, 'bin')}:${process.env.PATH}`, JAVA_HOME: java, HOME: process.env.HOME },
    ));
    report = JSON.parse(output.slice(output.indexOf('{'))) as LintReport;
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lints every step, class, test pipeline and README example', () => {
    const linted = Object.keys(report.files).map((file) => file.slice(dir.length + 1));
    const steps = readdirSync(join(packageDir, 'vars')).filter((f) => f.endsWith('.groovy'));
    assert.ok(steps.length > 0, 'vars/ has the steps');
    for (const file of steps) {
      assert.ok(linted.includes(`vars/${file}`), `vars/${file} was not linted`);
    }
    assert.ok(readmeExamples.length >= 3, 'the README has its declarative and scripted examples');
    readmeExamples.forEach((_, index) => {
      assert.ok(linted.includes(`readme/example${index + 1}.groovy`));
    });
  });

  it('finds no errors and no warnings', () => {
    const problems = Object.entries(report.files).flatMap(([file, { errors }]) =>
      errors
        .filter((e) => e.severity === 'error' || e.severity === 'warning')
        .map((e) => `${file.slice(dir.length + 1)}:${e.line} ${e.severity} ${e.rule} ${e.msg}`),
    );
    // No problem in no file would pass too: the linter must have read the library.
    assert.ok(Object.keys(report.files).length > 0 && report.summary.totalFilesLinted > 0, output);
    assert.deepEqual(problems, []);
    assert.equal(report.summary.totalFoundErrorNumber, 0);
    assert.equal(status, 0, output);
  });
});
