import type { MaterialKindName } from '../contract/model';
import { isObject, readJsonMaterial } from './file-content';
import type { MaterialInput } from './kind';
import { materialInvalid } from './material-error';
import type { MaterialFile } from './material-file';

/**
 * Reads a report that is a JSON array of findings or alerts (gitleaks, GitHub Advanced Security exports). The
 * original decodes it into a list of structs, so anything but an array of objects (or nulls, which decode to empty
 * structs) is not of the kind; an empty list is accepted, as the original does. Returns the first element, or
 * undefined for an empty list; `refuse` builds the kind's MATERIAL_INVALID error.
 */
export async function readJsonArrayReport(
  input: MaterialInput,
  kind: MaterialKindName,
): Promise<{
  file: MaterialFile;
  findings: unknown[];
  first: Record<string, unknown> | null | undefined;
  refuse: (reason: string) => Error;
}> {
  const { file, json } = await readJsonMaterial(input, kind);
  const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, kind, reason);
  if (!Array.isArray(json)) throw refuse('it is not a JSON array');
  const index = json.findIndex((element) => element !== null && !isObject(element));
  if (index >= 0) throw refuse(`element ${index} is not an object`);
  return { file, findings: json, first: json[0] as Record<string, unknown> | null | undefined, refuse };
}
