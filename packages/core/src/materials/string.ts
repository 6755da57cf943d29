import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/** The value itself is the material; last in auto-detection, so any value that is not a file ends up here. */
export const stringKind: MaterialKind = {
  kind: 'STRING',
  detectionOrder: 31,
  async inspect(input) {
    if (input.value === '')
      throw materialInvalid(input.name, 'the value', 'STRING', 'it is empty; give a non-empty --value');
    return { shape: 'string', value: input.value, annotations: {} };
  },
};
