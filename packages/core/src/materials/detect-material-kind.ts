import type { MaterialKindName } from '../contract/model';
import { isChainloopError } from '../errors';
import { PARSED_FILE_CACHE_OPTION, type ParsedFileCache } from './file-content';
import type { InspectedMaterial, MaterialInput } from './kind';
import { MATERIAL_INVALID } from './material-error';
import { pathKind } from './material-file';
import { detectionOrder, materialKind } from './registry';

/**
 * Tries the kinds in detection order and returns the first that accepts the value. A value naming an existing file
 * is never a STRING; a directory is only tried as CONTAINER_IMAGE (an OCI layout); a value that is not a path is only
 * tried as CONTAINER_IMAGE (a digest reference), then STRING.
 * "Not this kind" moves on; any other error (an empty or unreadable file) stops detection at once.
 */
export async function detectMaterialKind(
  input: MaterialInput,
): Promise<{ kind: MaterialKindName; inspected: InspectedMaterial }> {
  const path = await pathKind(input);
  const cache: ParsedFileCache = new Map();
  const shared: MaterialInput = { ...input, options: { ...input.options, [PARSED_FILE_CACHE_OPTION]: cache } };
  const candidates = detectionOrder().filter((kind) => {
    if (path === 'file') return kind.kind !== 'STRING';
    if (path === 'directory') return kind.kind === 'CONTAINER_IMAGE';
    return kind.kind === 'CONTAINER_IMAGE' || kind.kind === 'STRING';
  });
  let lastRefusal: unknown;
  for (const candidate of candidates) {
    try {
      const inspected = await candidate.inspect(shared);
      return { kind: candidate.kind, inspected };
    } catch (error) {
      if (!isChainloopError(error) || error.code !== MATERIAL_INVALID) throw error;
      lastRefusal = error;
    }
  }
  // Only reachable for a path no kind accepts (a directory): ARTIFACT's own error says why.
  if (path !== 'none') await materialKind('ARTIFACT').inspect(input);
  throw lastRefusal;
}
