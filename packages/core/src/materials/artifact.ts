import type { MaterialKind } from './kind';
import { requireMaterialFile } from './material-file';

/** Any non-empty file. Never read here: the crafter hashes and uploads it in one streaming pass. */
export const artifactKind: MaterialKind = {
  kind: 'ARTIFACT',
  detectionOrder: 30,
  async inspect(input) {
    const file = await requireMaterialFile(input);
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
