/**
 * The organisation's policy strategy while crafting (Chainloop's `block_on_policy_violation`, kept in the crafting
 * state from init): ENFORCED refuses the push on any violation, gate or not, unless bypassed; a state written before
 * the setting existed is ADVISORY. And `add --policy-input`, which replaces a policy input's contract value for one
 * material.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  LocalStateStore,
  parsePolicyInputFlags,
  pushAttestation,
  renderStatement,
} from '@chainloop-ts/core/crafter';
import { VECTORS } from '../materials/fixture-dir';
import { seedState } from './state-fixture';

const workDir = mkdtempSync(join(tmpdir(), 'crafter-policy-strategy-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const keyPath = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'keys');
const signer = () =>
  loadSigningKey(join(keyPath, 'generated__p256_N65536.key'), { password: 'correct horse battery staple' });
const QUICK = { timeout: 30_000 };

/** Real documents: an SBOM with 1 component, one with 250, a JUnit report with one failed case. */
const THIN_SBOM = join(VECTORS, 'sbom.cyclonedx-1.5-multiple-tools.json');
const FULL_SBOM = join(VECTORS, 'sbom.cyclonedx-1.5.json');
const FAILING_JUNIT = join(VECTORS, 'junit.xml');

/** No gate anywhere: an advisory JUnit policy, and an SBOM policy wanting 10 components. */
const ADVISORY_CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: advisory
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
      - ref: builtin://junit-no-failures
`;

async function freshStore(name: string, blockOnPolicyViolation?: boolean, contract = ADVISORY_CONTRACT) {
  const store = new LocalStateStore(join(workDir, `${name}.json`));
  await store.create(
    seedState({
      dryRun: true,
      contract: parseContract(contract),
      ...(blockOnPolicyViolation !== undefined && { blockOnPolicyViolation }),
    }),
  );
  return store;
}

function context(logs: string[] = []): CraftingContext {
  return {
    env: {},
    cwd: workDir,
    log: { info: (line) => logs.push(`INF ${line}`), warn: (line) => logs.push(`WRN ${line}`) },
  };
}

describe('the organisation enforces policies (ENFORCED)', () => {
  test('an advisory violation refuses the push (exit 4, state kept), named with the strategy', QUICK, async () => {
    const store = await freshStore('enforced', true);
    await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
    await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
    const status = await attestationStatus(store);
    assert.equal(status.policyCheckBlockingStrategy, 'ENFORCED');
    assert.equal(status.hasGatedPolicyViolations, false);

    await assert.rejects(pushAttestation(context(), store, { signer, annotations: {} }), (error: ChainloopError) => {
      assert.equal(error.code, 'POLICY_VIOLATIONS_ENFORCED');
      assert.equal(error.exitCode, 4);
      assert.match(error.message, /the organisation enforces policies/);
      assert.match(error.message, /policy "junit-no-failures" on material "tests"/);
      assert.match(error.message, /--exception-bypass-policy-check/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    assert.ok(await store.read(), 'the state is kept so the job can fix the material and push again');

    // Not pushed, the statement as it stands says what Chainloop would: blocked under ENFORCED.
    const state = await store.read();
    assert.ok(state);
    const { predicate } = renderStatement(state, { finishedAt: new Date(), annotations: {} });
    assert.equal(predicate.policyCheckBlockingStrategy, 'ENFORCED');
    assert.equal(predicate.policyHasGatedViolations, false);
    assert.equal(predicate.policyAttBlocked, true);
  });

  test(
    '--exception-bypass-policy-check pushes it, warns and records ENFORCED, bypassed, not blocked',
    QUICK,
    async () => {
      const store = await freshStore('enforced-bypass', true);
      await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
      const logs: string[] = [];
      const result = await pushAttestation(context(logs), store, { signer, annotations: {}, bypassPolicyCheck: true });
      const { predicate } = result.statement;
      assert.equal(predicate.policyCheckBlockingStrategy, 'ENFORCED');
      assert.equal(predicate.policyBlockBypassEnabled, true);
      assert.equal(predicate.policyAttBlocked, false);
      assert.equal(predicate.policyHasViolations, true);
      assert.ok(
        logs.some(
          (line) =>
            line.startsWith('WRN policy violations bypassed with --exception-bypass-policy-check') &&
            line.includes('junit-no-failures'),
        ),
        logs.join('\n'),
      );
      assert.equal(await store.read(), undefined);
    },
  );

  test('without violations an ENFORCED attestation pushes, and says ENFORCED', QUICK, async () => {
    const store = await freshStore('enforced-clean', true);
    await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
    const { predicate } = (await pushAttestation(context(), store, { signer, annotations: {} })).statement;
    assert.equal(predicate.policyCheckBlockingStrategy, 'ENFORCED');
    assert.equal(predicate.policyAttBlocked, false);
  });

  test('ADVISORY (the setting off) pushes the same violation and records it', QUICK, async () => {
    const store = await freshStore('advisory', false);
    await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
    await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
    const { predicate } = (await pushAttestation(context(), store, { signer, annotations: {} })).statement;
    assert.equal(predicate.policyCheckBlockingStrategy, 'ADVISORY');
    assert.equal(predicate.policyHasViolations, true);
    assert.equal(predicate.policyAttBlocked, false);
  });

  test(
    'a state file written before the setting existed (no field) is ADVISORY; a bad value is refused',
    QUICK,
    async () => {
      const path = join(workDir, 'old-state.json');
      const old = seedState({ dryRun: true, contract: parseContract(ADVISORY_CONTRACT) });
      assert.equal('blockOnPolicyViolation' in old, false);
      writeFileSync(path, JSON.stringify(old, null, 2));
      const store = new LocalStateStore(path);
      await addMaterial(context(), store, { name: 'sbom', value: FULL_SBOM, annotations: {} });
      await addMaterial(context(), store, { name: 'tests', value: FAILING_JUNIT, annotations: {} });
      assert.equal((await attestationStatus(store)).policyCheckBlockingStrategy, 'ADVISORY');
      const { predicate } = (await pushAttestation(context(), store, { signer, annotations: {} })).statement;
      assert.equal(predicate.policyCheckBlockingStrategy, 'ADVISORY');

      writeFileSync(path, JSON.stringify({ ...old, blockOnPolicyViolation: 'yes' }));
      await assert.rejects(new LocalStateStore(path).read(), (error: ChainloopError) => {
        assert.equal(error.code, 'STATE_CORRUPT');
        assert.match(error.message, /blockOnPolicyViolation/);
        return true;
      });
    },
  );
});

describe('add --policy-input', () => {
  const add = (store: LocalStateStore, name: string, value: string, flags: string[]) =>
    addMaterial(context(), store, { name, value, annotations: {}, policyInputs: parsePolicyInputFlags(flags) });

  test("replaces the contract's value for this material and records the value used", QUICK, async () => {
    const store = await freshStore('inputs');
    // The contract wants 10 components; this material is checked against 1, and passes.
    const { material } = await add(store, 'sbom', THIN_SBOM, ['min_components=1']);
    const [evaluation] = material.policyEvaluations ?? [];
    assert.equal(evaluation.name, 'sbom-min-components');
    assert.deepEqual(evaluation.with, { min_components: '1' });
    assert.deepEqual(evaluation.violations, []);

    // Named with its policy, it applies to that policy only; stricter than the contract, the full SBOM fails.
    const { material: strict } = await add(store, 'sbom', FULL_SBOM, ['sbom-min-components:min_components=300']);
    assert.deepEqual(strict.policyEvaluations?.[0].with, { min_components: '300' });
    assert.deepEqual(
      strict.policyEvaluations?.[0].violations.map((violation) => violation.message),
      ['the SBOM lists 250 components, fewer than 300'],
    );
    // Without the flag the contract's value is back.
    const { material: plain } = await add(store, 'sbom', THIN_SBOM, []);
    assert.deepEqual(plain.policyEvaluations?.[0].with, { min_components: '10' });
    assert.equal(plain.policyEvaluations?.[0].violations.length, 1);
  });

  test('an input no applied policy declares is a one-line usage error naming it; nothing is added', QUICK, async () => {
    const store = await freshStore('inputs-bad');
    await assert.rejects(add(store, 'sbom', THIN_SBOM, ['min_componentz=1']), (error: ChainloopError) => {
      assert.equal(error.code, 'POLICY_INPUT_UNKNOWN');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /--policy-input "min_componentz=1"/);
      assert.match(error.message, /declares input "min_componentz"/);
      assert.match(error.message, /sbom-min-components declares min_components/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    // A policy that does not apply to the material, by name.
    await assert.rejects(add(store, 'sbom', THIN_SBOM, ['junit-no-failures:min_components=1']), {
      code: 'POLICY_INPUT_UNKNOWN',
      message: /policy "junit-no-failures" does not apply to material "sbom" \(applied: sbom-min-components\)/,
    });
    // A material no policy applies to takes no input at all.
    await assert.rejects(add(store, 'build-ref', 'v1', ['min_components=1']), {
      code: 'POLICY_INPUT_UNKNOWN',
      message: /no policy applies to material "build-ref"/,
    });
    assert.deepEqual(Object.keys((await store.read())?.materials ?? {}), []);
    // Malformed flags.
    assert.throws(() => parsePolicyInputFlags(['min_components']), { code: 'POLICY_INPUT_FLAG_INVALID' });
    assert.throws(() => parsePolicyInputFlags(['min_components=']), { code: 'POLICY_INPUT_FLAG_INVALID' });
    assert.throws(() => parsePolicyInputFlags(['Bad Policy:x=1']), { code: 'POLICY_INPUT_FLAG_INVALID' });
  });

  test('several flags for one input are several values', QUICK, async () => {
    const contract = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: licences
spec:
  materials:
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
  policies:
    materials:
      - ref: builtin://sbom-banned-licenses
        with:
          licenses: GPL-3.0-only
`;
    const store = await freshStore('inputs-list', undefined, contract);
    const { material: contractValue } = await add(store, 'sbom', FULL_SBOM, []);
    assert.deepEqual(contractValue.policyEvaluations?.[0].violations, [], 'no component is GPL-3.0-only');
    // The SBOM has four BSD-3-Clause components.
    const { material } = await add(store, 'sbom', FULL_SBOM, ['licenses=AGPL-3.0-only', 'licenses=BSD-3-Clause']);
    const [evaluation] = material.policyEvaluations ?? [];
    assert.deepEqual(evaluation.with, { licenses: 'AGPL-3.0-only\nBSD-3-Clause' });
    assert.equal(evaluation.violations.length, 4);
    assert.match(evaluation.violations[0].message, /BSD-3-Clause, which is banned \(AGPL-3.0-only, BSD-3-Clause\)/);
  });
});
