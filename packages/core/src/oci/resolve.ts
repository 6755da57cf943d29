import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ChainloopError, isChainloopError, UsageError } from '../errors';
import { type DaemonEndpoint, DOCKER_DAEMON_PREFIX, findDaemonEndpoint, inspectDaemonImage } from './daemon';
import { isInsecureRegistry, parseInsecureRegistries } from './insecure';
import { findRegistryCredential } from './keychain';
import { isOciLayout, readOciLayoutImage, splitLayoutValue } from './layout';
import { parseImageReference } from './reference';
import { RegistryClient } from './registry-client';
import { findCosignSignature, type ImageSignature } from './signatures';

export interface ResolveImageOptions {
  /** --registry-server (CHAINLOOP_REGISTRY_SERVER): the one host the explicit credentials below are for. */
  registryServer?: string;
  registryUsername?: string;
  registryPassword?: string;
  /** --insecure-registry values; CHAINLOOP_INSECURE_REGISTRIES in `env` is added to them. */
  insecureRegistries?: string[];
  /** Environment: DOCKER_CONFIG, HOME, PATH (credential helpers), DOCKER_HOST, CHAINLOOP_REGISTRY_*, CHAINLOOP_INSECURE_REGISTRIES. */
  env?: NodeJS.ProcessEnv;
  /** Folder relative OCI layout paths resolve against. */
  cwd?: string;
  /** Docker socket probed when DOCKER_HOST is unset (tests point it elsewhere). */
  dockerSocketPath?: string;
}

export interface ResolvedImage {
  /** Fully qualified repository (`index.docker.io/library/nginx`), or `oci-layout:<name>` for a layout folder. */
  name: string;
  /** `sha256:…` of the manifest or index. */
  digest: string;
  tag?: string;
  signature?: ImageSignature;
  source: 'registry' | 'oci-layout' | 'daemon';
  /** Where the registry credential came from (never the secret itself); for registry images. */
  credentialSource?: string;
  /** Media type of what the digest names (manifest or index), when known. */
  mediaType?: string;
  /** Registry images: the reference's tag is `latest`, or `<repo>:latest` names the same digest (Chainloop's has_latest_tag). */
  hasLatestTag?: boolean;
}

/** True when `tag` in the same repository names `digest`; false when it does not exist or cannot be read. */
async function pointsAtDigest(client: RegistryClient, tag: string, digest: string): Promise<boolean> {
  try {
    return (await client.findManifest(tag))?.digest === digest;
  } catch {
    return false;
  }
}

function looksLikePath(value: string): boolean {
  return value.startsWith('.') || value.startsWith('/') || value.startsWith('~');
}

/** Errors after which a name may still be an image only the local engine knows. */
const DAEMON_FALLBACK_CODES = new Set(['IMAGE_NOT_FOUND', 'REGISTRY_UNREACHABLE', 'REGISTRY_AUTH_REQUIRED']);

async function fromDaemon(imageName: string, endpoint: DaemonEndpoint): Promise<ResolvedImage | undefined> {
  const image = await inspectDaemonImage(imageName, endpoint);
  return image ? { name: image.name, digest: image.digest, tag: image.tag, source: 'daemon' } : undefined;
}

async function fromRegistry(
  value: string,
  options: ResolveImageOptions,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedImage> {
  const ref = parseImageReference(value);
  const keychain = await findRegistryCredential(ref.registry, {
    registryServer: options.registryServer ?? env.CHAINLOOP_REGISTRY_SERVER,
    registryUsername: options.registryUsername ?? env.CHAINLOOP_REGISTRY_USERNAME,
    registryPassword: options.registryPassword ?? env.CHAINLOOP_REGISTRY_PASSWORD,
    env,
  });
  const insecureList = [
    ...(options.insecureRegistries ?? []),
    ...parseInsecureRegistries(env.CHAINLOOP_INSECURE_REGISTRIES),
  ];
  const client = new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    keychain,
    insecure: isInsecureRegistry(ref.registry, insecureList),
  });
  // A tag-and-digest reference is pinned by its digest, as docker does; the tag is still recorded.
  const descriptor = await client.resolveManifest(ref.digest ?? (ref.tag as string));
  // Both lookups are best effort and independent: run them side by side so they cost one round trip.
  const [signature, hasLatestTag] = await Promise.all([
    findCosignSignature(client, descriptor.digest),
    ref.tag === 'latest' ? true : pointsAtDigest(client, 'latest', descriptor.digest),
  ]);
  return {
    name: ref.name,
    digest: descriptor.digest,
    tag: ref.tag,
    signature,
    source: 'registry',
    credentialSource: keychain.source,
    mediaType: descriptor.mediaType,
    hasLatestTag,
  };
}

/**
 * Resolves a CONTAINER_IMAGE value to a repository and digest: an OCI image-layout folder (`./oci`, `./oci@sha256:…`),
 * `docker-daemon:<name>` for the local engine, or a registry reference — falling back to the local engine when the
 * registry does not know the name and DOCKER_HOST or the docker socket is there.
 */
export async function resolveContainerImage(value: string, options: ResolveImageOptions = {}): Promise<ResolvedImage> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const trimmed = value.trim();

  if (trimmed.startsWith(DOCKER_DAEMON_PREFIX)) {
    const imageName = trimmed.slice(DOCKER_DAEMON_PREFIX.length);
    parseImageReference(imageName);
    const endpoint = findDaemonEndpoint(env, options.dockerSocketPath);
    if (!endpoint) {
      throw new ChainloopError(
        'DOCKER_DAEMON_UNREACHABLE',
        `${trimmed}: no local container engine found (DOCKER_HOST is unset and ${options.dockerSocketPath ?? '/var/run/docker.sock'} does not exist): start docker or podman, or set DOCKER_HOST`,
      );
    }
    const image = await fromDaemon(imageName, endpoint);
    if (!image)
      throw new ChainloopError(
        'IMAGE_NOT_FOUND',
        `image ${imageName} not found in the local container engine at ${endpoint.label}: build, pull or load it first`,
      );
    return image;
  }

  const { path, selector } = splitLayoutValue(trimmed);
  const folder = resolvePath(cwd, path);
  if (isOciLayout(folder)) {
    const image = await readOciLayoutImage(path, selector, cwd);
    return {
      name: image.name,
      digest: image.digest,
      tag: image.tag,
      signature: image.signature,
      source: 'oci-layout',
      mediaType: image.mediaType || undefined,
    };
  }
  if (looksLikePath(trimmed)) {
    const reason = existsSync(folder) ? 'is not an OCI image layout (it has no oci-layout file)' : 'does not exist';
    throw new UsageError(
      'OCI_LAYOUT_NOT_FOUND',
      `container image ${trimmed}: folder ${folder} ${reason}; give an image reference or an OCI layout folder`,
    );
  }

  try {
    return await fromRegistry(trimmed, options, env);
  } catch (error) {
    if (!isChainloopError(error) || !DAEMON_FALLBACK_CODES.has(error.code)) throw error;
    const endpoint = findDaemonEndpoint(env, options.dockerSocketPath);
    if (!endpoint) throw error;
    // An engine that cannot be asked adds nothing: the registry's answer is the one to show.
    const image = await fromDaemon(trimmed, endpoint).catch((daemonError: unknown) => {
      throw isChainloopError(daemonError) && daemonError.code === 'DOCKER_DAEMON_UNREACHABLE' ? error : daemonError;
    });
    if (!image) {
      throw new ChainloopError(
        error.code,
        `${error.message}; it is not in the local container engine at ${endpoint.label} either`,
        { cause: error },
      );
    }
    return image;
  }
}
