import '../hang-guard';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseContract, parsePolicyDocument } from '@chainloop-ts/core/contract';
import { materialKind } from '@chainloop-ts/core/materials';
import {
  BUILTIN_POLICY_NAMES,
  builtinPolicyText,
  compilePolicy,
  createPolicyResolver,
  evaluateAttestationPolicies,
  evaluateMaterialPolicies,
  type PolicyEvaluation,
  type PolicyMaterial,
} from '@chainloop-ts/core/policies';
import { fixtureDir, VECTORS } from '../materials/fixture-dir';

const TOOL_REPORTS = join(import.meta.dirname, '..', 'materials', 'fixtures', 'junit');
const ENVELOPES = join(import.meta.dirname, '../../../../fixtures/vectors/envelopes/chainloop');
const QUICK = { timeout: 30_000 };
const options = { resolver: createPolicyResolver({ cwd: VECTORS }) };

/** The one material attachment of `builtin://<name>` with `with`, parsed from a contract as a user would write it. */
function attachments(name: string, withInputs: Record<string, string> = {}, selector?: string) {
  const withBlock = Object.entries(withInputs)
    .map(([key, value]) => `\n          ${key}: ${JSON.stringify(value)}`)
    .join('');
  const attachment = `ref: builtin://${name}\n        with:${withBlock === '' ? ' {}' : withBlock}`;
  const contract = parseContract(`apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: builtins
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
  policies:
    materials:
      - ${attachment}${selector === undefined ? '' : `\n        selector:\n          name: ${selector}`}
    attestation:
      - ${attachment}
`);
  return contract.policies!;
}

/** Crafts the real file as the contract's kind (the kind's own inspect: annotations as `add` records them). */
async function fileMaterial(kind: PolicyMaterial['kind'], dir: string, file: string, name = 'm') {
  const inspected = await materialKind(kind).inspect({ name, value: file, cwd: dir });
  assert.equal(inspected.shape, 'file');
  const material: PolicyMaterial = {
    name,
    kind,
    fileName: file,
    digest: 'sha256:test',
    annotations: inspected.annotations,
  };
  return { material, path: join(dir, file) };
}

async function onFile(
  policy: string,
  withInputs: Record<string, string>,
  kind: PolicyMaterial['kind'],
  dir: string,
  file: string,
): Promise<PolicyEvaluation> {
  const { material, path } = await fileMaterial(kind, dir, file);
  const [evaluation, ...rest] = await evaluateMaterialPolicies(
    attachments(policy, withInputs).materials,
    material,
    path,
    options,
  );
  assert.equal(rest.length, 0);
  assert.ok(evaluation, `${policy} did not apply to ${kind}`);
  assert.equal(evaluation.skipped, false);
  return evaluation;
}

function statementOf(file: string): Record<string, unknown> {
  const envelope = JSON.parse(readFileSync(file, 'utf8'));
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
}

describe('built-in policies', () => {
  it('are valid documents whose rules compile, named after their file', QUICK, () => {
    assert.deepEqual(BUILTIN_POLICY_NAMES.toSorted(), [
      'image-allowed-registry',
      'junit-no-failures',
      'required-annotations',
      'runner-allowed',
      'sarif-max-level',
      'sbom-banned-licenses',
      'sbom-min-components',
    ]);
    for (const name of BUILTIN_POLICY_NAMES) {
      const document = parsePolicyDocument(builtinPolicyText(name) ?? '');
      assert.equal(document.name, name);
      assert.ok(document.description, `${name} has a description`);
      compilePolicy(document, `builtin://${name} `);
    }
  });

  it('sbom-min-components: passes the real CycloneDX and SPDX SBOMs, fails them above their size', QUICK, async () => {
    const cyclonedx = await onFile(
      'sbom-min-components',
      { min_components: '250' },
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.5.json',
    );
    assert.deepEqual(cyclonedx.violations, []);
    assert.deepEqual(cyclonedx.with, { min_components: '250' });
    const tooFew = await onFile(
      'sbom-min-components',
      { min_components: '251' },
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.5.json',
    );
    assert.deepEqual(tooFew.violations, [
      { subject: 'sbom-min-components', message: 'the SBOM lists 250 components, fewer than 251' },
    ]);
    // The default (1) passes an SBOM of one component; two do not.
    const single = await onFile(
      'sbom-min-components',
      {},
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.4-empty-tool-version.json',
    );
    assert.deepEqual(single.with, { min_components: '1' });
    assert.deepEqual(single.violations, []);
    const two = await onFile(
      'sbom-min-components',
      { min_components: '2' },
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.4-empty-tool-version.json',
    );
    assert.deepEqual(
      two.violations.map((v) => v.message),
      ['the SBOM lists 1 components, fewer than 2'],
    );
    const spdx = await onFile(
      'sbom-min-components',
      { min_components: '2' },
      'SBOM_SPDX_JSON',
      VECTORS,
      'sbom-spdx-container.json',
    );
    assert.deepEqual(spdx.violations, []);
    const spdxTooFew = await onFile(
      'sbom-min-components',
      { min_components: '2' },
      'SBOM_SPDX_JSON',
      VECTORS,
      'sbom-spdx-multiple-tools.json',
    );
    assert.deepEqual(
      spdxTooFew.violations.map((v) => v.message),
      ['the SBOM lists 1 packages, fewer than 2'],
    );
  });

  it('sbom-banned-licenses: one violation per component under a banned licence, none otherwise', QUICK, async () => {
    const banned = await onFile(
      'sbom-banned-licenses',
      { licenses: 'GPL-3.0-only, BSD-3-Clause' },
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.5.json',
    );
    assert.equal(banned.violations.length, 4);
    assert.deepEqual(banned.violations[0], {
      subject: 'stdlib@go1.21.5',
      message: 'component stdlib@go1.21.5 is licensed under BSD-3-Clause, which is banned (GPL-3.0-only, BSD-3-Clause)',
    });
    const allowed = await onFile(
      'sbom-banned-licenses',
      { licenses: 'GPL-3.0-only\nAGPL-3.0-only' },
      'SBOM_CYCLONEDX_JSON',
      VECTORS,
      'sbom.cyclonedx-1.5.json',
    );
    assert.deepEqual(allowed.violations, []);
    const spdx = await onFile(
      'sbom-banned-licenses',
      { licenses: 'GPL-2.0-only' },
      'SBOM_SPDX_JSON',
      VECTORS,
      'sbom-spdx-container.json',
    );
    assert.equal(spdx.violations.length, 1);
    assert.match(
      spdx.violations[0].message,
      /^package .* is licensed under GPL-2\.0-only, GPL-2\.0-only, which is banned \(GPL-2\.0-only\)$/,
    );
    const spdxAllowed = await onFile(
      'sbom-banned-licenses',
      { licenses: 'GPL-2.0-only' },
      'SBOM_SPDX_JSON',
      VECTORS,
      'sbom-spdx-with-described-package.json',
    );
    assert.deepEqual(spdxAllowed.violations, []);
  });

  it('sbom-banned-licenses: refuses to run without its required input', QUICK, async () => {
    const { material, path } = await fileMaterial('SBOM_CYCLONEDX_JSON', VECTORS, 'sbom.cyclonedx-1.5.json');
    await assert.rejects(
      evaluateMaterialPolicies(attachments('sbom-banned-licenses').materials, material, path, options),
      {
        code: 'POLICY_INPUT_MISSING',
        message:
          'policy "sbom-banned-licenses" (spec.policies.materials[0]) requires input "licenses": give it under with: in the contract',
      },
    );
  });

  it('junit-no-failures: names the failed cases of real reports, passes a clean one', QUICK, async () => {
    const failing = await onFile('junit-no-failures', {}, 'JUNIT_XML', VECTORS, 'junit.xml');
    assert.deepEqual(failing.violations, [
      {
        subject: 'Tests.Authentication > testCase9',
        message: 'test Tests.Authentication > testCase9 failed: Assertion error message',
      },
    ]);
    // An archive of Maven Surefire reports: two Postgres tests failed for want of a database.
    const archive = await onFile('junit-no-failures', {}, 'JUNIT_XML', VECTORS, 'tests.zip');
    assert.deepEqual(
      archive.violations.map((v) => v.subject),
      [
        'org.springframework.samples.petclinic.PostgresIntegrationTests > testFindAll()',
        'org.springframework.samples.petclinic.PostgresIntegrationTests > testOwnerDetails()',
      ],
    );
    // pytest: one failure; its skipped test is not a violation.
    const pytest = await onFile('junit-no-failures', {}, 'JUNIT_XML', TOOL_REPORTS, 'pytest-junitxml.xml');
    assert.equal(pytest.violations.length, 1);
    // A clean run of Node's own test runner, written by its JUnit reporter.
    const { dir, write } = fixtureDir();
    write('ok.test.mjs', "import { it } from 'node:test';\nit('adds', () => {});\nit('subtracts', () => {});\n");
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=junit', '--test-reporter-destination=ok.xml', 'ok.test.mjs'],
      { cwd: dir, env, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const clean = await onFile('junit-no-failures', {}, 'JUNIT_XML', dir, 'ok.xml');
    assert.deepEqual(clean.violations, []);
  });

  it('sarif-max-level: results at or above the level are violations, across runs', QUICK, async () => {
    const errors = await onFile('sarif-max-level', {}, 'SARIF', VECTORS, 'report.sarif');
    assert.equal(errors.violations.length, 7);
    assert.deepEqual(errors.violations[0], {
      subject: 'tfsec AZU003',
      message: "error AZU003: Resource 'azurerm_managed_disk.source' defines an unencrypted managed disk.",
    });
    const warnings = await onFile('sarif-max-level', { level: 'warning' }, 'SARIF', VECTORS, 'report.sarif');
    assert.equal(warnings.violations.length, 9);
    const multiRun = await onFile('sarif-max-level', {}, 'SARIF', VECTORS, 'checkmarx-multi-run.sarif');
    assert.deepEqual(
      multiRun.violations.map((v) => v.subject.split(' ')[0]),
      ['Checkmarx', 'some-other-tool'],
    );
    // The same tfsec report from a clean scan: its runs without results.
    const { dir, write } = fixtureDir();
    const report = JSON.parse(readFileSync(join(VECTORS, 'report.sarif'), 'utf8'));
    for (const run of report.runs) run.results = [];
    write('clean.sarif', JSON.stringify(report));
    assert.deepEqual((await onFile('sarif-max-level', { level: 'note' }, 'SARIF', dir, 'clean.sarif')).violations, []);
    const badLevel = await onFile('sarif-max-level', { level: 'critical' }, 'SARIF', VECTORS, 'report.sarif');
    assert.deepEqual(
      badLevel.violations.map((v) => v.message),
      ['input level is "critical": expected note, warning or error'],
    );
  });

  it('image-allowed-registry: checks the registry of a real attested image', QUICK, async () => {
    // The image of Chainloop's with-git-subject attestation.
    const image: PolicyMaterial = {
      name: 'image',
      kind: 'CONTAINER_IMAGE',
      image: { name: 'index.docker.io/bitnami/nginx', tag: '1.25' },
      digest: 'sha256:fbd9335f55d83d8aaf9ab1a539b0f2a87b444e8c54f34c9a1ca9d7df15605db4',
      annotations: {},
    };
    const [denied] = await evaluateMaterialPolicies(
      attachments('image-allowed-registry', { registries: 'ghcr.io,quay.io' }).materials,
      image,
      undefined,
      options,
    );
    assert.deepEqual(denied.violations, [
      {
        subject: 'image-allowed-registry',
        message:
          'image index.docker.io/bitnami/nginx comes from index.docker.io, not from an allowed registry (ghcr.io, quay.io)',
      },
    ]);
    const [allowed] = await evaluateMaterialPolicies(
      attachments('image-allowed-registry', { registries: 'ghcr.io,index.docker.io' }).materials,
      image,
      undefined,
      options,
    );
    assert.deepEqual(allowed.violations, []);
  });

  it('required-annotations: on a material (by selector) and on the attestation', QUICK, async () => {
    const { material, path } = await fileMaterial('SBOM_CYCLONEDX_JSON', VECTORS, 'sbom.cyclonedx-1.5.json', 'sbom');
    const names = { names: 'chainloop.material.sbom.main_component.name, chainloop.material.tool.name' };
    const [present] = await evaluateMaterialPolicies(
      attachments('required-annotations', names, 'sbom').materials,
      material,
      path,
      options,
    );
    assert.deepEqual(present.violations, []);
    const [missing] = await evaluateMaterialPolicies(
      attachments('required-annotations', { names: 'owner' }, 'sbom').materials,
      material,
      path,
      options,
    );
    assert.deepEqual(missing.violations, [{ subject: 'owner', message: 'material sbom has no annotation owner' }]);
    // Without a selector a kind-less policy applies to no material (Chainloop's rule).
    assert.deepEqual(
      await evaluateMaterialPolicies(attachments('required-annotations', names).materials, material, path, options),
      [],
    );
    const statement = statementOf(join(ENVELOPES, 'with-git-subject.proto-names.dsse.json'));
    const [attestation] = await evaluateAttestationPolicies(
      attachments('required-annotations', { names: 'owner' }).attestation,
      statement,
      'PUSH',
      options,
    );
    assert.deepEqual(attestation.violations, [
      { subject: 'owner', message: 'the attestation has no annotation owner' },
    ]);
    assert.equal(attestation.type, 'ATTESTATION');
    assert.equal(attestation.materialName, '');
  });

  it('runner-allowed: passes a real GitHub Actions attestation, fails a runner-less one', QUICK, async () => {
    const policies = attachments('runner-allowed', { runners: 'GITHUB_ACTION, GITLAB_PIPELINE' });
    const github = statementOf(join(VECTORS, 'attestation-dsse.json'));
    const [passed] = await evaluateAttestationPolicies(policies.attestation, github, 'PUSH', options);
    assert.deepEqual(passed.violations, []);
    assert.deepEqual(passed.policyReference?.uri, 'builtin://runner-allowed');
    const local = statementOf(join(ENVELOPES, 'with-git-subject.proto-names.dsse.json'));
    const [failed] = await evaluateAttestationPolicies(policies.attestation, local, 'PUSH', options);
    assert.deepEqual(failed.violations, [
      {
        subject: 'runner-allowed',
        message:
          'the attestation was made on RUNNER_TYPE_UNSPECIFIED, not on an allowed runner (GITHUB_ACTION, GITLAB_PIPELINE)',
      },
    ]);
    // An attestation policy never applies to a material.
    const { material, path } = await fileMaterial('SBOM_CYCLONEDX_JSON', VECTORS, 'sbom.cyclonedx-1.5.json');
    assert.deepEqual(await evaluateMaterialPolicies(policies.materials, material, path, options), []);
  });
});
