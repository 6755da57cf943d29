import { readTarEntries, readZipEntries } from './archive-entries';
import type { MaterialKind } from './kind';
import { containerOf } from './material-archive';
import { requireMaterialFile } from './material-file';

/**
 * radamsa's crashing inputs: a zip or tar.gz of them (an empty archive is zero crashes), or any single non-empty
 * file (one crash). A file that only looks like an archive counts as one crash. Annotations: tool radamsa and the
 * crash count.
 */
export const radamsaCrashesKind: MaterialKind = {
  kind: 'RADAMSA_CRASHES',
  async inspect(input) {
    const file = await requireMaterialFile(input);
    let count = 1;
    const container = await containerOf(file);
    if (container === 'zip' || container === 'gzip') {
      try {
        const entries =
          container === 'zip'
            ? await readZipEntries(file.path, () => true)
            : await readTarEntries(file.path, () => true);
        count = entries.length;
      } catch {
        count = 1;
      }
    }
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: {
        'chainloop.material.tool.name': 'radamsa',
        'chainloop.material.radamsa.crashes.count': String(count),
      },
    };
  },
};
