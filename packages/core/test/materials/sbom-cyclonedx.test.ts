import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind, NO_STRICT_VALIDATION_OPTION } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const cyclonedx = materialKind('SBOM_CYCLONEDX_JSON');
const annotationsOf = async (value: string, cwd = VECTORS, options?: Record<string, unknown>) => {
  const inspected = await cyclonedx.inspect({ name: 'sbom', value, cwd, options });
  assert.equal(inspected.shape, 'file');
  return inspected.annotations;
};
const vector = (file: string) => JSON.parse(readFileSync(join(VECTORS, file), 'utf8'));

describe('SBOM_CYCLONEDX_JSON', () => {
  it('extracts the container main component (repository without tag) and the syft tool', async () => {
    assert.deepEqual(await annotationsOf('sbom.cyclonedx-1.5.json'), {
      'chainloop.material.sbom.main_component.name': 'ghcr.io/chainloop-dev/chainloop/control-plane',
      'chainloop.material.sbom.main_component.type': 'container',
      'chainloop.material.sbom.main_component.version': 'v0.55.0',
      'chainloop.material.tool.name': 'syft',
      'chainloop.material.tool.version': '0.101.1',
      'chainloop.material.tools': '["syft@0.101.1"]',
    });
  });

  it('marks a file with vulnerabilities as a vulnerabilities report', async () => {
    const annotations = await annotationsOf('sbom.cyclonedx-1.5-vulnerabilities.json');
    assert.equal(annotations['chainloop.material.sbom.vulnerabilities_report'], 'true');
    assert.equal(
      (await annotationsOf('sbom.cyclonedx-1.5.json'))['chainloop.material.sbom.vulnerabilities_report'],
      undefined,
    );
  });

  it('lists every tool of a 1.5 file and the 1.4 tools array, without a bare "@" for a missing version', async () => {
    assert.deepEqual(await annotationsOf('sbom.cyclonedx-1.5-multiple-tools.json'), {
      'chainloop.material.sbom.main_component.name': 'test-app',
      'chainloop.material.sbom.main_component.type': 'application',
      'chainloop.material.sbom.main_component.version': '1.0.0',
      'chainloop.material.tool.name': 'Hub',
      'chainloop.material.tool.version': '2025.4.2',
      'chainloop.material.tools': '["Hub@2025.4.2","cyclonedx-core-java@5.0.5"]',
    });
    const legacy = await annotationsOf('sbom.cyclonedx-1.4-empty-tool-version.json');
    assert.equal(legacy['chainloop.material.tool.name'], 'Hub');
    assert.equal(legacy['chainloop.material.tool.version'], undefined);
    assert.equal(legacy['chainloop.material.tools'], '["Hub"]');
  });

  it('refuses a schema-invalid file naming the offending property', async () => {
    await assert.rejects(
      cyclonedx.inspect({ name: 'sbom', value: 'sbom.cyclonedx-invalid-schema.json', cwd: VECTORS }),
      {
        code: 'MATERIAL_INVALID',
        message:
          'material "sbom": file sbom.cyclonedx-invalid-schema.json is not a valid SBOM_CYCLONEDX_JSON: CycloneDX schema validation failed: / has a property the schema does not allow: "invalidField" (and 1 more)',
      },
    );
  });

  it('names a nested schema problem by its JSON pointer', async () => {
    const { dir, write } = fixtureDir();
    const bom = vector('sbom.cyclonedx-1.5-multiple-tools.json');
    bom.components[0].type = 'spaceship';
    write('bad-type.json', JSON.stringify(bom));
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'bad-type.json', cwd: dir }), {
      message: /schema validation failed: \/components\/0\/type must be equal to one of the allowed values/,
    });
  });

  it('tolerates duplicate components and null cwes, as real generators write them', async () => {
    const { dir, write } = fixtureDir();
    const bom = vector('sbom.cyclonedx-1.5-multiple-tools.json');
    bom.components.push(structuredClone(bom.components[0]));
    bom.vulnerabilities = [{ id: 'CVE-2024-0001', cwes: null }];
    write('tolerated.json', JSON.stringify(bom));
    const annotations = await annotationsOf('tolerated.json', dir);
    assert.equal(annotations['chainloop.material.sbom.vulnerabilities_report'], 'true');
  });

  it('takes the version of a Trivy image from its RepoDigest and drops the tag from the name', async () => {
    const { dir, write } = fixtureDir();
    const bom = vector('sbom.cyclonedx-1.5-multiple-tools.json');
    const digest = `sha256:${'c'.repeat(64)}`;
    bom.metadata.component = {
      'bom-ref': 'img',
      type: 'container',
      name: 'alpine:3.19',
      properties: [{ name: 'aquasecurity:trivy:RepoDigest', value: `alpine@${digest}` }],
    };
    write('trivy.json', JSON.stringify(bom));
    const annotations = await annotationsOf('trivy.json', dir);
    assert.equal(annotations['chainloop.material.sbom.main_component.name'], 'index.docker.io/library/alpine');
    assert.equal(annotations['chainloop.material.sbom.main_component.version'], digest);
  });

  it('validates a 1.7 document against the 1.7 schema, which allows its new fields', async () => {
    const { dir, write } = fixtureDir();
    const bom = vector('sbom.cyclonedx-1.5-multiple-tools.json');
    bom.components[0].isExternal = false;
    write('bom-1.6-with-1.7-field.json', JSON.stringify({ ...bom, specVersion: '1.6' }));
    write(
      'bom-1.7.json',
      JSON.stringify({ ...bom, specVersion: '1.7', $schema: 'http://cyclonedx.org/schema/bom-1.7.schema.json' }),
    );
    await annotationsOf('bom-1.7.json', dir);
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'bom-1.6-with-1.7-field.json', cwd: dir }), {
      message: /\/components\/0 has a property the schema does not allow: "isExternal"$/,
    });
  });

  it('refuses the quick checks before the schema, with their own reasons', async () => {
    const { dir, write } = fixtureDir();
    write('no-spec.json', JSON.stringify({ bomFormat: 'CycloneDX', version: 1 }));
    write('version-0.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 0 }));
    write('not-json.json', '{"bomFormat": "CycloneDX",');
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'no-spec.json', cwd: dir }), {
      message: /specVersion is missing$/,
    });
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'version-0.json', cwd: dir }), {
      message: /version must be a number >= 1$/,
    });
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'not-json.json', cwd: dir }), {
      message: /it is not valid JSON/,
    });
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'simple.txt', cwd: VECTORS }), {
      message: /: it is not JSON$/,
    });
  });

  it('skips the schema with --no-strict-validation, but not the quick checks', async () => {
    const options = { [NO_STRICT_VALIDATION_OPTION]: true };
    await annotationsOf('sbom.cyclonedx-invalid-schema.json', VECTORS, options);
    await assert.rejects(cyclonedx.inspect({ name: 'sbom', value: 'random.json', cwd: VECTORS, options }), {
      message: /bomFormat is not "CycloneDX"/,
    });
  });
});
