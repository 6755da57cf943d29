import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const spdx = materialKind('SBOM_SPDX_JSON');
const annotationsOf = async (value: string, cwd = VECTORS) =>
  (await spdx.inspect({ name: 'sbom', value, cwd })).annotations;

describe('SBOM_SPDX_JSON', () => {
  it('takes the described container as main component, normalised to its repository', async () => {
    assert.deepEqual(await annotationsOf('sbom-spdx-container.json'), {
      'chainloop.material.sbom.main_component.name': 'ghcr.io/chainloop-dev/chainloop/control-plane',
      'chainloop.material.sbom.main_component.type': 'container',
      'chainloop.material.sbom.main_component.version': 'sha256:abcdef1234567890',
      'chainloop.material.tool.name': 'trivy',
      'chainloop.material.tool.version': '0.50.0',
      'chainloop.material.tools': '["trivy@0.50.0"]',
    });
  });

  it('takes a described application package as is', async () => {
    const annotations = await annotationsOf('sbom-spdx-with-described-package.json');
    assert.equal(annotations['chainloop.material.sbom.main_component.name'], 'my-app');
    assert.equal(annotations['chainloop.material.sbom.main_component.type'], 'application');
    assert.equal(annotations['chainloop.material.sbom.main_component.version'], '1.2.3');
  });

  it('lists every Tool creator and records no main component when nothing is described', async () => {
    assert.deepEqual(await annotationsOf('sbom-spdx-multiple-tools.json'), {
      'chainloop.material.tool.name': 'spdxgen',
      'chainloop.material.tool.version': '1.0.0',
      'chainloop.material.tools': '["spdxgen@1.0.0","scanner@2.1.5"]',
    });
  });

  it('refuses other SPDX versions and documents without creators', async () => {
    const { dir, write } = fixtureDir();
    write('spdx3.json', JSON.stringify({ spdxVersion: 'SPDX-3.0', SPDXID: 'SPDXRef-DOCUMENT' }));
    write(
      'no-creators.json',
      JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', creationInfo: {} }),
    );
    await assert.rejects(spdx.inspect({ name: 'sbom', value: 'spdx3.json', cwd: dir }), {
      code: 'MATERIAL_INVALID',
      message:
        'material "sbom": file spdx3.json is not a valid SBOM_SPDX_JSON: spdxVersion is "SPDX-3.0", expected SPDX-2.x',
    });
    await assert.rejects(spdx.inspect({ name: 'sbom', value: 'no-creators.json', cwd: dir }), {
      message: /creationInfo\.creators is missing$/,
    });
  });
});
