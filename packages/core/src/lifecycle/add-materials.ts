import { type AddResult, commitMaterials, craftMaterial } from '../crafter/add';
import type { CraftingContext } from '../crafter/context';
import { notInitialized } from '../crafter/local-state-store';
import type { CraftedMaterial } from '../crafter/state';
import type { StateStore } from '../crafter/state-store';
import { ChainloopError } from '../errors';
import type { MaterialListItem } from './material-list';

/**
 * Adds a list of materials in order and saves them in one state update (N materials are not N rewrites of the state).
 * The first failure stops: the materials crafted before it are saved, and the error names them.
 */
export async function addMaterials(
  context: CraftingContext,
  store: StateStore,
  items: MaterialListItem[],
  shared: { annotations?: Record<string, string>; materialOptions?: Record<string, unknown> } = {},
): Promise<AddResult[]> {
  const state = await store.read();
  if (!state) throw notInitialized(store.description);
  const crafted: CraftedMaterial[] = [];
  for (const item of items) {
    try {
      crafted.push(
        await craftMaterial(context, state, {
          name: item.name,
          value: item.value,
          kind: item.kind,
          annotations: shared.annotations ?? {},
          materialOptions: shared.materialOptions,
        }),
      );
    } catch (error) {
      if (crafted.length === 0) throw error;
      await commitMaterials(context, store, crafted);
      if (!(error instanceof ChainloopError)) throw error;
      throw new ChainloopError(
        error.code,
        `${error.message} (materials added before it: ${crafted.map((m) => m.name).join(', ')})`,
        { cause: error, exitCode: error.exitCode },
      );
    }
  }
  return crafted.length === 0 ? [] : commitMaterials(context, store, crafted);
}
