import '../hang-guard';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectionOrder, detectMaterialKind, materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

/**
 * Bytes this process read while `action` ran, whatever API read them (fs.readFile, file handles, streams, archives):
 * the kernel's count of bytes returned by read calls (`rchar` of /proc/self/io, Linux).
 */
async function countingBytesRead<T>(action: () => Promise<T>): Promise<{ result: T; bytesRead: number }> {
  const readSoFar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  const before = readSoFar();
  const result = await action();
  return { result, bytesRead: readSoFar() - before };
}

describe('detectMaterialKind', () => {
  it('follows the original order: most specific first, then CONTAINER_IMAGE, ARTIFACT, STRING', () => {
    assert.deepEqual(
      detectionOrder().map((kind) => kind.kind),
      [
        'OPENVEX',
        'SBOM_CYCLONEDX_JSON',
        'SBOM_SPDX_JSON',
        'CSAF_VEX',
        'CSAF_INFORMATIONAL_ADVISORY',
        'CSAF_SECURITY_ADVISORY',
        'CSAF_SECURITY_INCIDENT_RESPONSE',
        'GITLAB_SECURITY_REPORT',
        'GITLEAKS_JSON',
        'YELP_DETECT_SECRETS_BASELINE',
        'SYSINTERNALS_SIGCHECK',
        'OSSF_SCORECARD_JSON',
        'OPENAPI_SPEC',
        'ASYNCAPI_SPEC',
        'GRAPHQL_SPEC',
        'JUNIT_XML',
        'JACOCO_XML',
        'COBERTURA_XML',
        'HELM_CHART',
        'SARIF',
        'BLACKDUCK_SCA_JSON',
        'TWISTCLI_SCAN_JSON',
        'ZAP_DAST_ZIP',
        'SLSA_PROVENANCE',
        'CHAINLOOP_RUNNER_CONTEXT',
        'CHAINLOOP_AI_AGENT_CONFIG',
        'CHAINLOOP_AI_CODING_SESSION',
        'ATTESTATION',
        'CONTAINER_IMAGE',
        'ARTIFACT',
        'STRING',
      ],
    );
    for (const kind of [
      'EVIDENCE',
      'CHAINLOOP_PR_INFO',
      'CERTCC_DRANZER',
      'RADAMSA_REPORT',
      'RADAMSA_CRASHES',
    ] as const) {
      assert.equal(materialKind(kind).detectionOrder, undefined, kind);
    }
  });

  it('takes a value that is not a file as a STRING, or as CONTAINER_IMAGE when it resolves to an image', async () => {
    // An OCI image-layout folder resolves without a registry (registries: test/oci/container-image-material.test.ts).
    const asImage = await detectMaterialKind({ name: 'img', value: 'oci-layouts/skopeo', cwd: VECTORS });
    assert.equal(asImage.kind, 'CONTAINER_IMAGE');
    for (const value of ['ghcr.io/org/app:v1', 'v1.2.3', 'build 42 passed', './missing-file.txt']) {
      const detected = await detectMaterialKind({ name: 'ref', value, cwd: VECTORS });
      assert.deepEqual(detected, { kind: 'STRING', inspected: { shape: 'string', value, annotations: {} } }, value);
    }
  });

  it('never takes an existing file for a STRING, whatever it holds', async () => {
    const { dir, write } = fixtureDir();
    write('v1.2.3', 'v1.2.3');
    assert.equal((await detectMaterialKind({ name: 'ref', value: 'v1.2.3', cwd: dir })).kind, 'ARTIFACT');
  });

  it('refuses a directory that is no image layout with the directory error', async () => {
    const { dir } = fixtureDir();
    mkdirSync(join(dir, 'rootfs'));
    await assert.rejects(detectMaterialKind({ name: 'rootfs', value: 'rootfs', cwd: dir }), {
      code: 'MATERIAL_FILE_IS_DIRECTORY',
      message: 'material "rootfs": rootfs is a directory, expected a file',
    });
  });

  it('does not read a large binary file whole just to rule out the document kinds', async () => {
    const { dir, write } = fixtureDir();
    // 64 MiB of non-JSON, non-XML bytes: the kinds sniff the first bytes and move on.
    const path = join(dir, 'rootfs.img');
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 64; i += 1) appendFileSync(path, chunk);
    // A first detection loads the kinds' lazily imported parsers, so that the one measured reads only the material.
    write('warm-up.bin', 'AAAA');
    await detectMaterialKind({ name: 'warm-up', value: 'warm-up.bin', cwd: dir });
    const { result: detected, bytesRead } = await countingBytesRead(() =>
      detectMaterialKind({ name: 'rootfs', value: 'rootfs.img', cwd: dir }),
    );
    assert.equal(detected.kind, 'ARTIFACT');
    assert.ok(bytesRead > 0, 'the file was looked at');
    assert.ok(bytesRead < 1024 * 1024, `detection read ${bytesRead} bytes of a 64 MiB file: only its start is needed`);
  });
});
