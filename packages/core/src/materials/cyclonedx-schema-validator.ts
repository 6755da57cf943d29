import type { ErrorObject, ValidateFunction } from 'ajv';
import { CYCLONEDX_AJV_OPTIONS, CYCLONEDX_EXTRA_FORMATS } from './cyclonedx-ajv';

type SchemaVersion = '1.6' | '1.7';

let compiler: Promise<(version: SchemaVersion) => ValidateFunction> | undefined;
const compiled = new Map<SchemaVersion, ValidateFunction>();

/**
 * Loaded and compiled on first use, per schema version: the schemas are large and most CLI runs never need them. The
 * CLI bundle carries 1.6 (what 1.4–1.6 documents are checked against) compiled ahead of time.
 */
async function validator(version: SchemaVersion): Promise<ValidateFunction> {
  if (version === '1.6') {
    const { precompiledCycloneDx16 } = await import('./cyclonedx-precompiled');
    if (precompiledCycloneDx16) return precompiledCycloneDx16;
  }
  compiler ??= (async () => {
    const [{ default: Ajv }, { default: addFormats }, schemas] = await Promise.all([
      import('ajv'),
      import('ajv-formats'),
      import('./cyclonedx-schemas'),
    ]);
    const ajv = new Ajv({ ...CYCLONEDX_AJV_OPTIONS, schemas: schemas.CYCLONEDX_REFERENCED_SCHEMAS });
    addFormats(ajv);
    for (const [name, format] of Object.entries(CYCLONEDX_EXTRA_FORMATS)) ajv.addFormat(name, format);
    return (wanted: SchemaVersion) => ajv.compile(schemas.CYCLONEDX_BOM_SCHEMAS[wanted]);
  })();
  const compile = await compiler;
  let validate = compiled.get(version);
  if (validate === undefined) {
    validate = compile(version);
    compiled.set(version, validate);
  }
  return validate;
}

/**
 * Problems real generators produce that the original tolerates: duplicate components (syft emits them) and
 * `cwes: null` in vulnerabilities.
 */
function tolerated(error: ErrorObject): boolean {
  if (error.keyword === 'uniqueItems' && /\/components$/.test(error.instancePath)) return true;
  return error.keyword === 'type' && /^\/vulnerabilities\/\d+\/cwes$/.test(error.instancePath) && error.data === null;
}

/**
 * Validates against CycloneDX 1.6 like the original (1.4 and 1.5 documents satisfy it), or 1.7 for 1.7 documents,
 * which 1.6 would refuse for their new fields. Returns the first problem, or undefined.
 */
export async function validateCycloneDxSchema(document: unknown, specVersion: string): Promise<string | undefined> {
  const validate = await validator(specVersion === '1.7' ? '1.7' : '1.6');
  if (validate(document)) return undefined;
  const errors = (validate.errors ?? []).filter((error) => !tolerated(error));
  if (errors.length === 0) return undefined;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${describe(errors[0])}${more}`;
}

function describe(error: ErrorObject): string {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${path} has a property the schema does not allow: "${error.params.additionalProperty}"`;
  }
  return `${path} ${error.message ?? error.keyword}`;
}
