import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ChainloopError } from '@chainloop-ts/core';
import { loadSigningKey } from '@chainloop-ts/core/attestation';
import { parseContract } from '@chainloop-ts/core/contract';
import {
  addMaterial,
  attestationStatus,
  type CraftingContext,
  evaluateAttestationPhase,
  LocalStateStore,
  pushAttestation,
  renderStatement,
} from '@chainloop-ts/core/crafter';
import { VECTORS } from '../materials/fixture-dir';
import { seedState } from './state-fixture';

const workDir = mkdtempSync(join(tmpdir(), 'crafter-policies-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const keyPath = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signer = () =>
  loadSigningKey(join(keyPath, 'generated__p256_N65536.key'), { password: 'correct horse battery staple' });
const QUICK = { timeout: 30_000 };

/** Real SBOMs: one component (fails `min_components: 10`), and 250 (passes). */
const THIN_SBOM = join(VECTORS, 'sbom.cyclonedx-1.5-multiple-tools.json');
const FULL_SBOM = join(VECTORS, 'sbom.cyclonedx-1.5.json');
/** A real JUnit report with one failed case. */
const FAILING_JUNIT = join(VECTORS, 'junit.xml');

/** The seed-like contract: a gated SBOM policy, an advisory JUnit one, an advisory attestation one. */
const CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: gated
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
    - type: JUNIT_XML
      name: tests
      optional: true
    - type: STRING
      name: build-ref
      optional: true
  policies:
    materials:
      - ref: builtin://sbom-min-components
        with:
          min_components: "10"
        gate: true
      - ref: builtin://junit-no-failures
    attestation:
      - ref: builtin://runner-allowed
        with:
          runners: GITHUB_ACTION
`;

async function freshStore(name: string, contract = CONTRACT) {
  const store = new LocalStateStore(join(workDir, `${name}.json`));
  await store.create(seedState({ dryRun: true, contract: parseContract(contract) }));
  return store;
}

function context(logs: string[] = []): CraftingContext {
  return {
    env: {},
    cwd: workDir,
    log: { info: (line) => logs.push(`INF ${line}`), warn: (line) => logs.push(`WRN ${line}`) },
  };
}

describe('policies while crafting', () => {
  test(
    'add evaluates the policies attached to the material and keeps them; adding it again replaces them',
    QUICK,
    async () => {
      const store = await freshStore('add');
      const { material } = await addMaterial(context(), store, { name: 'sbom', value: THIN_SBOM, annotations: {} });
      assert.equal(material.policyEvaluations?.length, 1);
      const [thin] = material.policyEvaluations ?? [];
      assert.equal(thin.name, 'sbom-min-components');
      assert.equal(thin.materialName, 'sbom');
      assert.equal(thin.gate, true);
      assert.deepEqual(
        thin.violations.map((v) => v.message),
        ['the SBOM lists 1 components, fewer than 10'],
      );
      assert.deepEqual((await store.read())?.materials.sbom.policyEvaluations, material.policyEvaluations);

      await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      const again = (await store.read())?.materials.sbom.policyEvaluations ?? [];
      assert.equal(again.length, 1, 'the earlier evaluation is replaced, not kept beside the new one');
      assert.deepEqual(again[0].violations, []);

      // A material no policy applies to records none.
      const { material: ref } = await addMaterial(context(), store, {
        name: 'build-ref',
        value: 'v1',
        annotations: {},
      });
      assert.equal(ref.policyEvaluations, undefined);
    },
  );

  test("status shows each material's evaluations and whether any has violations", QUICK, async () => {
    const store = await freshStore('status');
    await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
    const status = await attestationStatus(store);
    assert.deepEqual(Object.keys(status.policyEvaluations), ['tests']);
    assert.equal(status.policyEvaluations.tests[0].name, 'junit-no-failures');
    assert.equal(status.materials.find((m) => m.name === 'tests')?.policyEvaluations.length, 1);
    assert.equal(status.hasPolicyViolations, true);
    assert.equal(status.hasGatedPolicyViolations, false);
    assert.equal(status.policyCheckBlockingStrategy, 'ADVISORY');
  });

  test(
    'push refuses a violated gate (exit code 4, the policy and its violation named) and keeps the state; fixed, it pushes',
    QUICK,
    async () => {
      const store = await freshStore('gate');
      await addMaterial(context(), store, { name: 'sbom', value: THIN_SBOM, annotations: {} });
      await assert.rejects(pushAttestation(context(), store, { signer, annotations: {} }), (error: ChainloopError) => {
        assert.equal(error.code, 'POLICY_GATE_FAILED');
        assert.equal(error.exitCode, 4);
        assert.match(
          error.message,
          /policy "sbom-min-components" on material "sbom" \(the SBOM lists 1 components, fewer than 10\)/,
        );
        assert.match(error.message, /add it again .*--exception-bypass-policy-check/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
      assert.ok(await store.read(), 'the state is kept so the job can fix the material and push again');

      await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      const result = await pushAttestation(context(), store, { signer, annotations: {} });
      const { predicate } = result.statement;
      assert.equal((predicate.policyEvaluations as Record<string, unknown[]>).sbom.length, 1);
      assert.equal(predicate.policyHasGatedViolations, false);
      assert.equal(predicate.policyAttBlocked, false);
      assert.equal(await store.read(), undefined);
    },
  );

  test(
    '--exception-bypass-policy-check pushes a violated gate and records it; advisory violations are recorded, not blocking',
    QUICK,
    async () => {
      const store = await freshStore('bypass');
      await addMaterial(context(), store, { name: 'sbom', value: THIN_SBOM, annotations: {} });
      await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
      const logs: string[] = [];
      const result = await pushAttestation(context(logs), store, { signer, annotations: {}, bypassPolicyCheck: true });
      const { predicate } = result.statement;
      assert.equal(predicate.policyBlockBypassEnabled, true);
      assert.equal(predicate.policyAttBlocked, false);
      assert.equal(predicate.policyHasViolations, true);
      assert.equal(predicate.policyHasGatedViolations, true);
      const evaluations = predicate.policyEvaluations as Record<string, Array<Record<string, unknown>>>;
      assert.equal(evaluations.tests[0].gate, false);
      assert.equal((evaluations.tests[0].violations as unknown[]).length, 1);
      assert.ok(
        logs.some((line) => line.startsWith('WRN policy gates bypassed') && line.includes('sbom-min-components')),
      );

      // Without the bypass and without a gate, the same advisory violation does not block.
      const advisory = await freshStore('advisory');
      await addMaterial(context(), advisory, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      await addMaterial(context(), advisory, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
      const pushed = await pushAttestation(context(), advisory, { signer, annotations: {} });
      assert.equal(pushed.statement.predicate.policyHasViolations, true);
      assert.equal(pushed.statement.predicate.policyBlockBypassEnabled, false);
      assert.equal(pushed.statement.predicate.policyAttBlocked, false);
    },
  );

  test('attestation policies run at push on the statement, filed under CHAINLOOP.ATTESTATION', QUICK, async () => {
    const store = await freshStore('attestation');
    await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
    const result = await pushAttestation(context(), store, { signer, annotations: {} });
    const evaluations = result.statement.predicate.policyEvaluations as Record<string, Array<Record<string, unknown>>>;
    const [runner] = evaluations['CHAINLOOP.ATTESTATION'];
    assert.equal(runner.name, 'runner-allowed');
    assert.equal(runner.type, 'ATTESTATION');
    assert.equal(runner.materialName, undefined, 'Chainloop omits the empty materialName');
    assert.deepEqual(runner.violations, [
      {
        subject: 'runner-allowed',
        message: 'the attestation was made on RUNNER_TYPE_UNSPECIFIED, not on an allowed runner (GITHUB_ACTION)',
      },
    ]);
  });

  test(
    'init-phase results are kept to push; a policy of every phase is evaluated again at push, not listed twice',
    QUICK,
    async () => {
      const contract = `${CONTRACT}      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: init-only
          spec:
            policies:
              - kind: ATTESTATION
                attestationPhases: [INIT]
                cel:
                  rules:
                    - expression: has(predicate.metadata.initializedAt)
                      message: no initializedAt
`;
      const store = await freshStore('phases', contract);
      const initial = await store.read();
      assert.ok(initial);
      const atInit = await evaluateAttestationPhase(
        context(),
        initial,
        { finishedAt: new Date(), annotations: {} },
        'INIT',
      );
      assert.deepEqual(
        atInit.map((e) => e.name),
        ['runner-allowed', 'init-only'],
      );
      await store.update((state) => ({ ...state, attestationPolicyEvaluations: atInit }));
      assert.deepEqual(
        (await attestationStatus(store)).policyEvaluations['CHAINLOOP.ATTESTATION'].map((e) => e.name),
        ['runner-allowed', 'init-only'],
      );
      await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      const result = await pushAttestation(context(), store, { signer, annotations: {} });
      const evaluations = result.statement.predicate.policyEvaluations as Record<string, Array<{ name: string }>>;
      assert.deepEqual(
        evaluations['CHAINLOOP.ATTESTATION'].map((e) => e.name),
        ['init-only', 'runner-allowed'],
      );
    },
  );

  test("the predicate's policy fields have Chainloop's names and JSON types", QUICK, async () => {
    const store = await freshStore('shape');
    await addMaterial(context(), store, { name: 'sbom', value: THIN_SBOM, annotations: {} });
    const state = await store.read();
    assert.ok(state);
    const { predicate } = renderStatement(state, { finishedAt: new Date(), annotations: {}, bypassPolicyCheck: true });
    // ProvenancePredicateV02 (pkg/attestation/renderer/chainloop/v02.go) and reference §5.3: the flags are always
    // written (no omitempty), the counters are numbers.
    const predicateShape: Record<string, string> = {
      policyEvaluations: 'object',
      policyHasViolations: 'boolean',
      policyCheckBlockingStrategy: 'string',
      policyBlockBypassEnabled: 'boolean',
      policyAttBlocked: 'boolean',
      policyEvaluationsCount: 'number',
      policyViolationsCount: 'number',
      policySkippedCount: 'number',
      policyPassedCount: 'number',
      policySuppressedCount: 'number',
      policyHasGatedViolations: 'boolean',
      policyHasGates: 'boolean',
    };
    const policyKeys = Object.keys(predicate).filter((key) => key.startsWith('policy'));
    assert.deepEqual(policyKeys.sort(), Object.keys(predicateShape).sort());
    for (const [key, type] of Object.entries(predicateShape)) assert.equal(typeof predicate[key], type, key);
    assert.ok(['ENFORCED', 'ADVISORY'].includes(predicate.policyCheckBlockingStrategy as string));
    assert.equal(predicate.policyEvaluationsCount, 1);
    assert.equal(predicate.policyViolationsCount, 1);

    // PolicyEvaluation's json tags: name, materialName, policyReference (an in-toto descriptor), description,
    // annotations, violations[{subject, message}], with, type, skipped, skipReasons, groupReference, requirements, gate.
    const [evaluation] = (predicate.policyEvaluations as Record<string, Array<Record<string, unknown>>>).sbom;
    assert.deepEqual(Object.keys(evaluation), [
      'name',
      'materialName',
      'policyReference',
      'description',
      'annotations',
      'violations',
      'with',
      'type',
      'skipped',
      'gate',
    ]);
    assert.deepEqual(evaluation.with, { min_components: '10' });
    assert.equal(evaluation.type, 'SBOM_CYCLONEDX_JSON');
    assert.equal(evaluation.skipped, false);
    const reference = evaluation.policyReference as Record<string, unknown>;
    assert.deepEqual(Object.keys(reference), ['name', 'uri', 'digest', 'annotations']);
    assert.equal(reference.uri, 'builtin://sbom-min-components');
    assert.match((reference.digest as { sha256: string }).sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(reference.annotations, { name: 'sbom-min-components', organization: '' });

    // A contract without policies still writes the four flags, as Chainloop does, and no evaluations.
    const plain = renderStatement(seedState(), { finishedAt: new Date(), annotations: {} }).predicate;
    assert.equal(plain.policyEvaluations, undefined);
    assert.equal(plain.policyHasViolations, false);
    assert.equal(plain.policyCheckBlockingStrategy, 'ADVISORY');
    assert.equal(plain.policyAttBlocked, false);
  });
});
