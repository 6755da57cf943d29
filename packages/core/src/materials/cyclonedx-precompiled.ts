import type { ValidateFunction } from 'ajv';

/**
 * The CycloneDX 1.6 validator compiled ahead of time. From source (tests, tsx) there is none and the schema is
 * compiled on first use; the CLI build (packages/cli/build.mjs) replaces this module with ajv standalone code from the
 * same options, so an `add` of an SBOM does not spend ~0.3 s compiling a 270 KB schema in every CI job.
 */
export const precompiledCycloneDx16: ValidateFunction | undefined = undefined;
