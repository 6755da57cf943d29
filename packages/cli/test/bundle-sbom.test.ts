/**
 * The bundle carries the CycloneDX validator precompiled and packed (packages/cli/build.mjs), the sources compile the
 * schema at run time: both must give every vector the same verdict and the same message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
const materials = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'vectors', 'materials');
const dir = mkdtempSync(join(tmpdir(), 'bundle-sbom-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const vectors = [
  'sbom.cyclonedx-1.5.json',
  'sbom.cyclonedx-1.5-vulnerabilities.json',
  'sbom.cyclonedx-1.5-multiple-tools.json',
  'sbom.cyclonedx-1.4-empty-tool-version.json',
  'sbom.cyclonedx-invalid-schema.json',
];

for (const vector of vectors) {
  test(`bundle and sources agree on ${vector}`, async () => {
    const file = join(materials, vector);
    const source = await materialKind('SBOM_CYCLONEDX_JSON')
      .inspect({ name: 'sbom', value: file, cwd: dir })
      .then(
        () => ({ ok: true, message: '' }),
        (error: Error) => ({ ok: false, message: error.message }),
      );
    const statePath = join(dir, `${vector}.state.json`);
    writeDryRunState(statePath);
    const result = spawnSync(
      process.execPath,
      [
        bundle,
        'attestation',
        'add',
        '--name',
        'sbom',
        '--kind',
        'SBOM_CYCLONEDX_JSON',
        '--value',
        file,
        '--local-state-path',
        statePath,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      },
    );
    assert.equal(
      result.status === 0,
      source.ok,
      `${vector}: bundle exit ${result.status}, sources ok=${source.ok}\n${result.stderr}`,
    );
    if (!source.ok)
      assert.match(result.stderr, new RegExp(`ERR ${source.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    else assert.equal(JSON.parse(readFileSync(statePath, 'utf8')).materials.sbom.kind, 'SBOM_CYCLONEDX_JSON');
  });
}
