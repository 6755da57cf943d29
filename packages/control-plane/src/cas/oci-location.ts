import { UsageError } from '@chainloop-ts/core';

/** Where the OCI CAS keeps its blobs: `--cas oci://host[:port]/repository`. */
export interface OciCasLocation {
  /** host[:port], as written (IPv6 in brackets). */
  registry: string;
  repository: string;
  /** Plain HTTP (`--cas-insecure`, loopback registries only). */
  insecure: boolean;
  /** Repositories of the same registry a blob is mounted from when it is there already (`--cas-mount-from`). */
  mountFrom: string[];
  /** Username and password from CHAINLOOP_CP_CAS_USERNAME/_PASSWORD; absent: the docker keychain. */
  credential?: { username: string; password: string };
}

/** The distribution spec's repository name grammar (path components of lowercase alphanumerics and separators). */
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const EXAMPLE = 'oci://registry.example.com/chainloop/cas';

export function isLoopbackRegistry(registry: string): boolean {
  const portAt = registry.lastIndexOf(':');
  const host = (portAt > registry.lastIndexOf(']') ? registry.slice(0, portAt) : registry).toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function checkRepository(flag: string, value: string, repository: string): void {
  if (repository.length > 255 || !REPOSITORY.test(repository)) {
    throw new UsageError(
      'CAS_INVALID',
      `${flag} "${value}" names repository "${repository}", which is not a valid OCI repository name: use lowercase letters, digits and . _ - separated by /, e.g. chainloop/cas`,
    );
  }
}

export interface CasFlags {
  cas?: string;
  casInsecure?: boolean;
  casMountFrom?: string;
}

/**
 * `--cas`, `--cas-insecure`, `--cas-mount-from` and the CHAINLOOP_CP_CAS_USERNAME/_PASSWORD pair; undefined keeps the
 * filesystem CAS in the data directory. Plain HTTP is refused for anything but a loopback registry: blobs and
 * credentials would cross the network in clear text.
 */
export function parseCasFlags(flags: CasFlags, env: NodeJS.ProcessEnv = process.env): OciCasLocation | undefined {
  const value = flags.cas?.trim();
  if (!value) {
    const stray = flags.casInsecure ? '--cas-insecure' : flags.casMountFrom ? '--cas-mount-from' : undefined;
    if (stray) {
      throw new UsageError(
        'CAS_INVALID',
        `${stray} needs --cas oci://host[:port]/repository: without --cas the CAS is the data directory`,
      );
    }
    return undefined;
  }
  const match = /^oci:\/\/([^/?#\s]+)\/([^?#\s]+?)\/*$/i.exec(value);
  if (!match) {
    throw new UsageError(
      'CAS_INVALID',
      `--cas "${value}" is not oci://host[:port]/repository: name an OCI registry and a repository in it, e.g. ${EXAMPLE}`,
    );
  }
  const registry = match[1].toLowerCase();
  const repository = match[2];
  checkRepository('--cas', value, repository);
  if (/@/.test(registry)) {
    throw new UsageError(
      'CAS_INVALID',
      `--cas "${value}" carries credentials in the URL: remove them and set CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD instead`,
    );
  }
  const insecure = flags.casInsecure === true;
  if (insecure && !isLoopbackRegistry(registry)) {
    throw new UsageError(
      'CAS_INSECURE_REFUSED',
      `--cas-insecure is only allowed for a registry on loopback (127.0.0.1, ::1, localhost), not ${registry}: serve that registry over HTTPS (a private CA goes in NODE_EXTRA_CA_CERTS)`,
    );
  }
  const mountFrom = (flags.casMountFrom ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const source of mountFrom) checkRepository('--cas-mount-from', flags.casMountFrom ?? '', source);
  return { registry, repository, insecure, mountFrom, credential: casCredentialFromEnv(env) };
}

function casCredentialFromEnv(env: NodeJS.ProcessEnv): OciCasLocation['credential'] {
  const username = env.CHAINLOOP_CP_CAS_USERNAME || undefined;
  const password = env.CHAINLOOP_CP_CAS_PASSWORD || undefined;
  if (!username && !password) return undefined;
  if (!username || !password) {
    throw new UsageError(
      'CAS_CREDENTIALS_INCOMPLETE',
      `${username ? 'CHAINLOOP_CP_CAS_PASSWORD' : 'CHAINLOOP_CP_CAS_USERNAME'} is not set: set both CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD, or neither to use the docker config`,
    );
  }
  return { username, password };
}
