// The CycloneDX schemas shipped by @cyclonedx/cyclonedx-library. Its package `exports` do not expose `res/`, so they
// are imported by path; esbuild inlines them into the CLI bundle (nothing is read from node_modules at run time).
import bom16 from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.6.SNAPSHOT.schema.json';
import bom17 from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.7.SNAPSHOT.schema.json';
import cryptographyDefs from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/cryptography-defs.SNAPSHOT.schema.json';
import jsf082 from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/jsf-0.82.SNAPSHOT.schema.json';
import spdxLicenses from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/spdx.SNAPSHOT.schema.json';

export const CYCLONEDX_BOM_SCHEMAS: Record<'1.6' | '1.7', object> = { '1.6': bom16, '1.7': bom17 };

/** The ids the bom schemas' relative `$ref`s resolve to. */
export const CYCLONEDX_REFERENCED_SCHEMAS: Record<string, object> = {
  'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': spdxLicenses,
  'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': jsf082,
  'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': cryptographyDefs,
};
