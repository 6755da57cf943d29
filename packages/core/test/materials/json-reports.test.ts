import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const vector = (file: string) => JSON.parse(readFileSync(join(VECTORS, file), 'utf8'));

describe('OPENVEX', () => {
  const openvex = materialKind('OPENVEX');
  it('needs the openvex.dev context and an @id', async () => {
    const accepted = await openvex.inspect({ name: 'vex', value: 'openvex_v0.2.0.json', cwd: VECTORS });
    assert.equal(accepted.shape === 'file' && accepted.fileName, 'openvex_v0.2.0.json');
    const { dir, write } = fixtureDir();
    write('no-id.json', JSON.stringify({ ...vector('openvex_v0.2.0.json'), '@id': '' }));
    write('json-ld.json', JSON.stringify({ '@context': 'https://schema.org', '@id': 'x' }));
    await assert.rejects(openvex.inspect({ name: 'vex', value: 'no-id.json', cwd: dir }), {
      code: 'MATERIAL_INVALID',
      message: 'material "vex": file no-id.json is not a valid OPENVEX: @id is missing',
    });
    await assert.rejects(openvex.inspect({ name: 'vex', value: 'json-ld.json', cwd: dir }), {
      message: /@context is not an https:\/\/openvex\.dev\/ns namespace$/,
    });
  });
});

describe('SARIF', () => {
  const sarif = materialKind('SARIF');
  it('records the first run driver as the tool', async () => {
    const inspected = await sarif.inspect({ name: 'scan', value: 'report.sarif', cwd: VECTORS });
    assert.deepEqual(inspected.annotations, {
      'chainloop.material.tool.name': 'tfsec',
      'chainloop.material.tools': '["tfsec"]',
    });
    const { dir, write } = fixtureDir();
    const report = vector('report.sarif');
    report.runs[0].tool.driver.version = '1.28.0';
    write('versioned.sarif', JSON.stringify(report));
    const versioned = await sarif.inspect({ name: 'scan', value: 'versioned.sarif', cwd: dir });
    assert.equal(versioned.annotations['chainloop.material.tools'], '["tfsec@1.28.0"]');
  });

  it('needs $schema and version 2.1.0', async () => {
    const { dir, write } = fixtureDir();
    const { $schema: _, ...noSchema } = vector('report.sarif');
    write('no-schema.sarif', JSON.stringify(noSchema));
    write('v1.sarif', JSON.stringify({ ...vector('report.sarif'), version: '1.0.0' }));
    await assert.rejects(sarif.inspect({ name: 'scan', value: 'no-schema.sarif', cwd: dir }), {
      message: /: \$schema is missing$/,
    });
    await assert.rejects(sarif.inspect({ name: 'scan', value: 'v1.sarif', cwd: dir }), {
      message: /: version is "1\.0\.0", expected "2\.1\.0"$/,
    });
  });
});

describe('GITLAB_SECURITY_REPORT', () => {
  const gitlab = materialKind('GITLAB_SECURITY_REPORT');
  it('records the scanner as the tool, else the analyzer', async () => {
    const inspected = await gitlab.inspect({ name: 'sast', value: 'gl-sast-report.json', cwd: VECTORS });
    assert.equal(inspected.annotations['chainloop.material.tool.name'], 'Semgrep');
    const { dir, write } = fixtureDir();
    const report = vector('gl-sast-report.json');
    delete report.scan.scanner;
    report.scan.analyzer = { id: 'gosec', name: 'gosec', version: '2.18.2' };
    write('analyzer.json', JSON.stringify(report));
    const analyzer = await gitlab.inspect({ name: 'sast', value: 'analyzer.json', cwd: dir });
    assert.equal(analyzer.annotations['chainloop.material.tools'], '["gosec@2.18.2"]');
  });

  it('refuses an unknown scan type', async () => {
    const { dir, write } = fixtureDir();
    const report = vector('gl-sast-report.json');
    report.scan.type = 'penetration';
    write('unknown.json', JSON.stringify(report));
    await assert.rejects(gitlab.inspect({ name: 'sast', value: 'unknown.json', cwd: dir }), {
      message: /: scan\.type "penetration" is not one of sast, dast, /,
    });
  });
});

describe('EVIDENCE', () => {
  const evidence = materialKind('EVIDENCE');
  it('records the id and schema of custom evidence, and accepts any other file plainly', async () => {
    const custom = await evidence.inspect({
      name: 'approval',
      value: 'evidence-with-id-data-schema.json',
      cwd: VECTORS,
    });
    assert.deepEqual(custom.annotations, {
      'chainloop.material.evidence.id': 'custom-evidence-123',
      'chainloop.material.evidence.schema': 'https://example.com/schema/v1',
    });
    for (const file of ['random.json', 'simple.txt', 'tests.zip']) {
      assert.deepEqual((await evidence.inspect({ name: 'e', value: file, cwd: VECTORS })).annotations, {});
    }
  });
});
