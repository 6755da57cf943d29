import { UsageError } from '../errors';

/** Docker Hub's registry host as go-containerregistry names it (the name Chainloop records). */
export const DOCKER_HUB_REGISTRY = 'index.docker.io';

/** An image reference parsed the way docker does: `nginx` → `index.docker.io/library/nginx:latest`. */
export interface ImageReference {
  /** Registry host with an optional port, e.g. `ghcr.io`, `127.0.0.1:5000`, `index.docker.io`. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/nginx`, `org/app`. */
  repository: string;
  /** The fully qualified repository: `<registry>/<repository>`. */
  name: string;
  /** The tag; `latest` when neither a tag nor a digest was given. */
  tag?: string;
  /** `sha256:<hex>` when the reference pins a digest. */
  digest?: string;
}

// Grammar from the distribution reference package (docker's own parser), written out so errors can say which part is wrong.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const IPV6_HOST = /^\[[a-fA-F0-9:.]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

const EXAMPLE = 'expected [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. ghcr.io/org/app:v1';

function refuse(value: string, reason: string): never {
  throw new UsageError('IMAGE_REFERENCE_INVALID', `invalid image reference "${value}": ${reason} (${EXAMPLE})`);
}

/** Docker's rule: the first component is a registry when it has a dot or a port, is `localhost`, or has upper case. */
function looksLikeRegistry(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component.toLowerCase() !== component;
}

/** Normalises Docker Hub's aliases (`docker.io`, `registry-1.docker.io`, …) to `index.docker.io`; other hosts unchanged. */
export function normalizeRegistryHost(host: string): string {
  const lower = host.toLowerCase();
  if (lower === 'docker.io' || lower === 'index.docker.io' || lower === 'registry-1.docker.io')
    return DOCKER_HUB_REGISTRY;
  return host;
}

export function isDockerHub(registry: string): boolean {
  return normalizeRegistryHost(registry) === DOCKER_HUB_REGISTRY;
}

function checkRegistry(value: string, registry: string): void {
  const portAt = registry.lastIndexOf(':');
  const hasPort = portAt > registry.lastIndexOf(']');
  const host = hasPort ? registry.slice(0, portAt) : registry;
  if (hasPort && !PORT.test(registry.slice(portAt + 1))) refuse(value, `registry "${registry}" has an invalid port`);
  if (IPV6_HOST.test(host)) return;
  if (host === '' || !host.split('.').every((part) => DOMAIN_COMPONENT.test(part))) {
    refuse(value, `registry "${registry}" is not a valid host name`);
  }
}

/** Parses an image reference, filling in docker's defaults. Throws a UsageError that names the wrong part. */
export function parseImageReference(value: string): ImageReference {
  if (value.trim() === '') refuse(value, 'it is empty');
  if (/\s/.test(value)) refuse(value, 'it contains white space');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) refuse(value, 'a URL scheme is not part of an image reference; drop it');

  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) refuse(value, `digest "${digest}" is not of the form <algorithm>:<hex>`);
    if (digest.startsWith('sha256:') && !SHA256_DIGEST.test(digest)) {
      refuse(value, `digest "${digest}" must be sha256: followed by 64 lower-case hex characters`);
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      refuse(
        value,
        `tag "${tag}" may only hold letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')`,
      );
  }

  if (rest === '') refuse(value, 'the repository name is missing');
  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB_REGISTRY;
  let repository = rest;
  if (slash >= 0 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
    checkRegistry(value, registry);
    registry = normalizeRegistryHost(registry);
  }
  if (repository === '') refuse(value, 'the repository name is missing');
  for (const component of repository.split('/')) {
    if (component === '') refuse(value, `repository "${repository}" has an empty path component`);
    if (component.toLowerCase() !== component) refuse(value, `repository "${repository}" must be lower case`);
    if (!PATH_COMPONENT.test(component)) {
      refuse(value, `repository component "${component}" may only hold a-z, 0-9 and single separators (., _, __, -)`);
    }
  }
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  const name = `${registry}/${repository}`;
  if (name.length > MAX_NAME_LENGTH) refuse(value, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository, name, tag, digest };
}

/** `<name>:<tag>@<digest>`, the canonical way to print a reference. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
