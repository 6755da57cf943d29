import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadSigningKey, type Signer } from '@chainloop-ts/core/attestation';
import type { ContractMaterial } from '@chainloop-ts/core/contract';
import {
  attestationStatus,
  type CraftingContext,
  LocalStateStore,
  pushAttestation,
  silentLogger,
} from '@chainloop-ts/core/crafter';
import { addMaterials } from '@chainloop-ts/core/lifecycle';
import { vectorPath } from '../attestation/vectors';
import { seedState } from './state-fixture';

const workDir = mkdtempSync(join(tmpdir(), 'optional-materials-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const declared = (name: string, optional: boolean): ContractMaterial => ({
  name,
  type: 'STRING',
  optional,
  output: false,
  skipUpload: false,
  annotations: [],
});

/** A contract with two required and two optional STRING materials, in this order. */
const CONTRACT_MATERIALS = [
  declared('build-ref', false),
  declared('release-notes', true),
  declared('commit', false),
  declared('changelog', true),
];

// Dry runs: no control plane, so push only checks, renders and signs.
const context: CraftingContext = { env: {}, cwd: workDir, log: silentLogger };
const signer = () =>
  loadSigningKey(vectorPath('keys', 'cosign__keys_test__pemsigstorekey.key'), { password: 'hello', env: {} });

async function attestationWith(name: string, added: Record<string, string>, materials = CONTRACT_MATERIALS) {
  const store = new LocalStateStore(join(workDir, `${name}.json`));
  const base = seedState({ dryRun: true });
  await store.create({ ...base, contract: { ...base.contract, materials } });
  await addMaterials(
    context,
    store,
    Object.entries(added).map(([material, value]) => ({ name: material, value })),
  );
  return store;
}

const pushedNames = (statement: { predicate: Record<string, unknown> }) =>
  (statement.predicate.materials as Array<{ annotations: Record<string, unknown> }>).map(
    (material) => material.annotations['chainloop.material.name'],
  );

describe('optional contract materials at push', () => {
  test('push succeeds with every required material and no optional one, and attests just those', async () => {
    const store = await attestationWith('required-only', { 'build-ref': 'v1.2.3', commit: 'a206e709' });
    const status = await attestationStatus(store);
    assert.deepEqual(
      status.materials.map((m) => [m.name, m.required, m.set]),
      [
        ['build-ref', true, true],
        ['release-notes', false, false],
        ['commit', true, true],
        ['changelog', false, false],
      ],
    );
    const result = await pushAttestation(context, store, { signer, annotations: {} });
    assert.deepEqual(pushedNames(result.statement), ['build-ref', 'commit']);
    assert.equal(await store.read(), undefined, 'a successful push forgets the state');
  });

  test('a contract whose materials are all optional pushes with none added', async () => {
    const store = await attestationWith(
      'all-optional',
      {},
      CONTRACT_MATERIALS.map((m) => ({ ...m, optional: true })),
    );
    const result = await pushAttestation(context, store, { signer, annotations: {} });
    assert.deepEqual(pushedNames(result.statement), []);
  });

  test('an added optional material is attested like any other', async () => {
    const store = await attestationWith('with-optional', {
      'build-ref': 'v1.2.3',
      commit: 'a206e709',
      changelog: 'fixes',
    });
    const result = await pushAttestation(context, store, { signer, annotations: {} });
    assert.deepEqual(pushedNames(result.statement), ['build-ref', 'changelog', 'commit']);
  });

  test('a missing required material is still refused, naming only the required ones, before anything is signed', async () => {
    const store = await attestationWith('missing-required', { 'build-ref': 'v1.2.3' });
    let signers = 0;
    const counting = async (): Promise<Signer> => {
      signers += 1;
      return signer();
    };
    await assert.rejects(pushAttestation(context, store, { signer: counting, annotations: {} }), {
      code: 'MATERIALS_MISSING',
      message:
        'some materials have not been crafted yet: commit; add them with chainloop attestation add --name NAME --value VALUE',
    });
    assert.equal(signers, 0);
    assert.ok(await store.read(), 'the refused attestation is kept, so the missing material can still be added');
  });
});
