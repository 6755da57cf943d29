import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/crafter/context';
import { LocalStateStore } from '../../src/crafter/local-state-store';
import type { CraftingState } from '../../src/crafter/state';
import type { StateStore } from '../../src/crafter/state-store';
import { addMaterials } from '../../src/lifecycle/add-materials';
import { seedState } from '../crafter/state-fixture';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'add-materials-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Counts how often the state is rewritten. */
function counting(store: StateStore): StateStore & { updates: number } {
  const wrapper = {
    description: store.description,
    updates: 0,
    read: () => store.read(),
    create: (state: CraftingState, options?: { replace?: boolean }) => store.create(state, options),
    update: (change: (state: CraftingState) => CraftingState) => {
      wrapper.updates++;
      return store.update(change);
    },
    clear: () => store.clear(),
  };
  return wrapper;
}

const context = { env: {}, cwd: '/', log: silentLogger };

test('a list of materials is saved with one update of the state', async () => {
  const store = counting(new LocalStateStore(join(directory, 'list.json')));
  await store.create(seedState({ dryRun: true }));
  const items = Array.from({ length: 50 }, (_, i) => ({ name: `s-${i}`, value: `v${i}`, kind: 'STRING' }));
  const results = await addMaterials(context, store, items);
  assert.equal(results.length, 50);
  assert.equal(store.updates, 1);
  assert.equal(Object.keys((await store.read())?.materials ?? {}).length, 50);
});

test('the first failure stops the list, keeps what came before it and names it', async () => {
  const store = new LocalStateStore(join(directory, 'failure.json'));
  await store.create(seedState({ dryRun: true }));
  await assert.rejects(
    addMaterials(context, store, [
      { name: 'build-ref', value: 'abc' },
      { name: 'one', value: '1', kind: 'STRING' },
      { name: 'rootfs', value: join(directory, 'missing.tar.gz') },
      { name: 'never', value: 'x', kind: 'STRING' },
    ]),
    /rootfs.*not found.*\(materials added before it: build-ref, one\)/,
  );
  assert.deepEqual(Object.keys((await store.read())?.materials ?? {}).sort(), ['build-ref', 'one']);
});
