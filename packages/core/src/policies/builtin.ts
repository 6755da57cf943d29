import { imageAllowedRegistry } from './builtin/image-allowed-registry';
import { junitNoFailures } from './builtin/junit-no-failures';
import { requiredAnnotations } from './builtin/required-annotations';
import { runnerAllowed } from './builtin/runner-allowed';
import { sarifMaxLevel } from './builtin/sarif-max-level';
import { sbomBannedLicenses } from './builtin/sbom-banned-licenses';
import { sbomMinComponents } from './builtin/sbom-min-components';

/**
 * The policies shipped with Chainloop TS, referenced as `builtin://<name>`. Each is a policy document kept as text
 * in a module of its own (one file per policy), so the single-file CLI bundle carries them without a loader.
 */
const BUILTIN_POLICIES: Record<string, string> = {
  'sbom-min-components': sbomMinComponents,
  'sbom-banned-licenses': sbomBannedLicenses,
  'junit-no-failures': junitNoFailures,
  'sarif-max-level': sarifMaxLevel,
  'image-allowed-registry': imageAllowedRegistry,
  'required-annotations': requiredAnnotations,
  'runner-allowed': runnerAllowed,
};

export const BUILTIN_POLICY_NAMES = Object.keys(BUILTIN_POLICIES);

/** The document of a built-in policy, or undefined when there is none of that name. */
export function builtinPolicyText(name: string): string | undefined {
  return Object.hasOwn(BUILTIN_POLICIES, name) ? BUILTIN_POLICIES[name] : undefined;
}
