import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';

/**
 * Content that is not of the kind. Auto-detection moves on to the next kind on this code; the file-level errors
 * below (missing, empty, unreadable, a directory) stop it, because no kind can accept such a value.
 */
export const MATERIAL_INVALID = 'MATERIAL_INVALID';

export function materialInvalid(
  material: string,
  what: string,
  kind: MaterialKindName,
  reason: string,
  cause?: unknown,
): ChainloopError {
  return new ChainloopError(MATERIAL_INVALID, `material "${material}": ${what} is not a valid ${kind}: ${reason}`, {
    cause,
  });
}

export const MATERIAL_FILE_NOT_FOUND = 'MATERIAL_FILE_NOT_FOUND';
export const MATERIAL_FILE_EMPTY = 'MATERIAL_FILE_EMPTY';
export const MATERIAL_FILE_IS_DIRECTORY = 'MATERIAL_FILE_IS_DIRECTORY';
export const MATERIAL_FILE_UNREADABLE = 'MATERIAL_FILE_UNREADABLE';
