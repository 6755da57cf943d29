import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalStateStore } from '../../src/crafter/local-state-store';
import type { CraftedMaterial } from '../../src/crafter/state';
import type { ChainloopError } from '../../src/errors';
import { seedState } from './state-fixture';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'state-store-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

function material(name: string): CraftedMaterial {
  return {
    name,
    kind: 'STRING',
    value: name,
    digest: 'sha256:00',
    annotations: {},
    uploadedToCas: false,
    output: false,
    required: false,
    contractFree: true,
    addedAt: new Date().toISOString(),
  };
}

test('init refuses to overwrite an attestation in progress unless replace is asked', async () => {
  const store = new LocalStateStore(join(directory, 'refuse.json'));
  await store.create(seedState());
  await assert.rejects(store.create(seedState()), (error: ChainloopError) => {
    assert.equal(error.code, 'ATTESTATION_ALREADY_INITIALIZED');
    assert.match(error.message, /--replace/);
    return true;
  });
  await store.create(seedState({ dryRun: true }), { replace: true });
  assert.equal((await store.read())?.dryRun, true);
});

test('the state file is private to its owner and holds the state as JSON', async () => {
  const path = join(directory, 'mode.json');
  await new LocalStateStore(path).create(seedState());
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(JSON.parse(await readFile(path, 'utf8')).workflow.name, 'build-and-test');
});

test('20 concurrent updates from separate store instances all land', async () => {
  const path = join(directory, 'concurrent.json');
  await new LocalStateStore(path).create(seedState());
  const names = Array.from({ length: 20 }, (_, i) => `m-${i}`);
  await Promise.all(
    names.map((name) =>
      new LocalStateStore(path).update((state) => ({
        ...state,
        materials: { ...state.materials, [name]: material(name) },
      })),
    ),
  );
  const state = await new LocalStateStore(path).read();
  assert.deepEqual(Object.keys(state?.materials ?? {}).sort(), [...names].sort());
});

test('updating or reading without an attestation says to run init', async () => {
  const store = new LocalStateStore(join(directory, 'missing.json'));
  assert.equal(await store.read(), undefined);
  await assert.rejects(
    store.update((s) => s),
    /attestation not yet initialized .*run chainloop attestation init first/,
  );
});

test('a corrupt state file is reported with the way out, not a stack trace', async () => {
  const path = join(directory, 'corrupt.json');
  await writeFile(path, '{not json');
  await assert.rejects(new LocalStateStore(path).read(), /is not valid JSON: run chainloop attestation reset/);
});

test('clear forgets the state and is harmless twice', async () => {
  const store = new LocalStateStore(join(directory, 'clear.json'));
  await store.create(seedState());
  await store.clear();
  await store.clear();
  assert.equal(await store.read(), undefined);
});
