import type { Options } from 'ajv';

/**
 * How CycloneDX documents are validated, in one place for both compilers: the schema compiled at run time
 * (cyclonedx-schema-validator.ts) and the validator the CLI build compiles ahead of time (packages/cli/build.mjs).
 */
export const CYCLONEDX_AJV_OPTIONS = { strict: false, allErrors: true, verbose: true } as const satisfies Options;

/** Formats ajv-formats lacks; checked loosely, as the CycloneDX library's own validator does. */
export const CYCLONEDX_EXTRA_FORMATS: Record<string, true | RegExp> = {
  'iri-reference': true,
  'idn-email': /^[^\s@]+@[^\s@]+$/,
};
