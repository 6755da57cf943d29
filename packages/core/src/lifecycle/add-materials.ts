import { type AddResult, addMaterial } from '../crafter/add';
import type { CraftingContext } from '../crafter/context';
import type { StateStore } from '../crafter/state-store';
import { ChainloopError } from '../errors';
import type { MaterialListItem } from './material-list';

/** Adds a list of materials in order; the first failure stops and names the material (earlier ones stay added). */
export async function addMaterials(
  context: CraftingContext,
  store: StateStore,
  items: MaterialListItem[],
  shared: { annotations?: Record<string, string>; materialOptions?: Record<string, unknown> } = {},
): Promise<AddResult[]> {
  const results: AddResult[] = [];
  for (const item of items) {
    try {
      results.push(
        await addMaterial(context, store, {
          name: item.name,
          value: item.value,
          kind: item.kind,
          annotations: shared.annotations ?? {},
          materialOptions: shared.materialOptions,
        }),
      );
    } catch (error) {
      if (error instanceof ChainloopError && results.length > 0) {
        throw new ChainloopError(
          error.code,
          `${error.message} (materials added before it: ${results.map((r) => r.material.name).join(', ')})`,
          {
            cause: error,
            exitCode: error.exitCode,
          },
        );
      }
      throw error;
    }
  }
  return results;
}
