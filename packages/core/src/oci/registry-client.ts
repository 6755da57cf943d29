// We speak the OCI distribution API ourselves: @sigstore/oci needs Node 22 and lacks credential helpers and insecure lists.
import { createHash } from 'node:crypto';
import { ChainloopError } from '../errors';
import { connectionErrorCode, type HttpResponse, httpRequest, isTlsErrorCode } from '../http/http-request';
import { ProxyError } from '../http/proxy';
import { type AuthorizeContext, authorizeChallenge, parseAuthChallenge, registryAuthError } from './auth';
import { registryBaseUrl } from './insecure';
import type { KeychainResult } from './keychain';
import { DOCKER_HUB_REGISTRY } from './reference';

export const MEDIA_TYPES = {
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Config media types that make an OCI manifest a container image rather than some other OCI artifact. */
const IMAGE_CONFIG_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);
const ACCEPT = [
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');
const IMAGE_MEDIA_TYPES = new Set<string>(Object.values(MEDIA_TYPES));
// The OCI distribution spec lets registries refuse manifests above 4 MiB; nothing legitimate is bigger.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

/** What a registry holds at a reference: the manifest or index digest, and its media type. */
export interface ManifestDescriptor {
  digest: string;
  mediaType: string;
  size?: number;
}

export interface RegistryClientOptions {
  /** Registry host[:port]. */
  registry: string;
  /** Repository path inside the registry. */
  repository: string;
  keychain: KeychainResult;
  /** Plain HTTP instead of HTTPS (see insecure.ts). */
  insecure: boolean;
}

/** Docker Hub is named index.docker.io but serves the distribution API at registry-1.docker.io. */
function apiHost(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? 'registry-1.docker.io' : registry;
}

function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function mediaTypeOf(response: HttpResponse): string {
  return (response.header('content-type') ?? '').split(';')[0].trim();
}

/** Turns a network failure into one line naming the registry, the reason and the fix. */
function unreachable(registry: string, url: string, insecure: boolean, error: unknown): ChainloopError {
  // The proxy in between failed, not the registry: its error names the proxy and the fix.
  if (error instanceof ProxyError) return error;
  const code = connectionErrorCode(error) ?? (error as Error).message;
  if (!insecure && isTlsErrorCode(code)) {
    return new ChainloopError(
      'REGISTRY_UNREACHABLE',
      `registry ${registry} did not complete an HTTPS handshake (${code}): if it serves plain HTTP, name it with --insecure-registry ${registry} (or CHAINLOOP_INSECURE_REGISTRIES); if its certificate is private, add the CA with NODE_EXTRA_CA_CERTS`,
      { cause: error },
    );
  }
  const reason = code === 'ETIMEDOUT' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000}s` : code;
  return new ChainloopError(
    'REGISTRY_UNREACHABLE',
    `registry ${registry} is unreachable at ${new URL(url).origin} (${reason}): check the registry address and that it is running`,
    { cause: error },
  );
}

/** A client for one repository on one registry. Remembers the Authorization it earned so later requests reuse it. */
export class RegistryClient {
  private authorization?: string;
  private readonly authContext: AuthorizeContext;

  constructor(private readonly options: RegistryClientOptions) {
    this.authContext = {
      registry: options.registry,
      scope: `repository:${options.repository}:pull`,
      keychain: options.keychain,
    };
  }

  private manifestUrl(reference: string): string {
    return `${registryBaseUrl(apiHost(this.options.registry), this.options.insecure)}/v2/${this.options.repository}/manifests/${reference}`;
  }

  private async send(method: 'HEAD' | 'GET', url: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: ACCEPT };
    if (this.authorization) headers.Authorization = this.authorization;
    try {
      return await httpRequest(url, { method, headers, timeoutMs: REQUEST_TIMEOUT_MS });
    } catch (error) {
      throw unreachable(this.options.registry, url, this.options.insecure, error);
    }
  }

  /** Sends a request, answering one WWW-Authenticate challenge when the registry asks for one. */
  private async request(method: 'HEAD' | 'GET', reference: string): Promise<HttpResponse> {
    const url = this.manifestUrl(reference);
    let response = await this.send(method, url);
    if (response.status !== 401) return response;
    response.discard();
    const challenge = parseAuthChallenge(response.header('www-authenticate') ?? '');
    if (!challenge) throw registryAuthError(this.authContext, 401, `registry ${this.options.registry}`);
    this.authorization = await authorizeChallenge(challenge, this.authContext);
    response = await this.send(method, url);
    if (response.status === 401 || response.status === 403) {
      response.discard();
      throw registryAuthError(this.authContext, response.status, `registry ${this.options.registry}`);
    }
    return response;
  }

  private describe(reference: string): string {
    return `${this.options.registry}/${this.options.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  }

  private failure(response: HttpResponse, reference: string): ChainloopError {
    const { registry } = this.options;
    if (response.status === 404) {
      return new ChainloopError(
        'IMAGE_NOT_FOUND',
        `image ${this.describe(reference)} not found in registry ${registry}: check the repository and tag (skopeo list-tags docker://${registry}/${this.options.repository} lists the tags)`,
      );
    }
    if (response.status === 403) return registryAuthError(this.authContext, 403, `registry ${registry}`);
    return new ChainloopError(
      'REGISTRY_ERROR',
      `registry ${registry} answered HTTP ${response.status} for ${this.describe(reference)}: try again later or check the registry's logs`,
    );
  }

  /** GETs the manifest bytes, checks them against the digest the registry or the reference states, and parses them. */
  private async getManifest(
    reference: string,
    expectedDigest?: string,
  ): Promise<{ descriptor: ManifestDescriptor; manifest: Record<string, unknown> }> {
    const response = await this.request('GET', reference);
    if (!response.ok) {
      response.discard();
      throw this.failure(response, reference);
    }
    const declared = Number(response.header('content-length') ?? '0');
    if (declared > MAX_MANIFEST_BYTES) {
      response.discard();
      throw new ChainloopError(
        'REGISTRY_ERROR',
        `registry ${this.options.registry} sent a ${declared}-byte manifest for ${this.describe(reference)}, above the 4 MiB limit: this is not an image manifest`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = await response.bytes();
    } catch (error) {
      throw unreachable(this.options.registry, response.url, this.options.insecure, error);
    }
    const digest = sha256Digest(bytes);
    const claimed = expectedDigest ?? response.header('docker-content-digest') ?? undefined;
    if (claimed?.startsWith('sha256:') && claimed !== digest) {
      throw new ChainloopError(
        'IMAGE_DIGEST_MISMATCH',
        `registry ${this.options.registry} sent a manifest for ${this.describe(reference)} whose sha256 is ${digest}, not ${claimed}: the registry or a proxy altered it; do not trust this registry`,
      );
    }
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new ChainloopError(
        'IMAGE_NOT_AN_IMAGE',
        `${this.describe(reference)} in registry ${this.options.registry} is not a JSON manifest: point at a container image`,
      );
    }
    const mediaType = mediaTypeOf(response) || String(manifest.mediaType ?? '');
    return { descriptor: { digest, mediaType, size: bytes.length }, manifest };
  }

  private refuseNonImage(reference: string, mediaType: string, manifest?: Record<string, unknown>): void {
    const where = `${this.describe(reference)} in registry ${this.options.registry}`;
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw new ChainloopError(
        'IMAGE_NOT_AN_IMAGE',
        `${where} is not a container image: its media type is ${mediaType || 'missing'}, not an image manifest or index; point at an image, or use another material kind for other artifacts`,
      );
    }
    if (!manifest || mediaType !== MEDIA_TYPES.ociManifest) return;
    const config = (manifest.config ?? {}) as { mediaType?: string };
    const artifactType = typeof manifest.artifactType === 'string' ? manifest.artifactType : undefined;
    if (artifactType || !IMAGE_CONFIG_MEDIA_TYPES.has(config.mediaType ?? '')) {
      throw new ChainloopError(
        'IMAGE_NOT_AN_IMAGE',
        `${where} is not a container image but an OCI artifact of type ${artifactType ?? config.mediaType ?? 'unknown'}: point at an image, or use the material kind for that artifact (e.g. HELM_CHART, ARTIFACT)`,
      );
    }
  }

  /**
   * Resolves a tag or digest to the manifest or index digest: HEAD with the image Accept types and
   * Docker-Content-Digest; GET and hash the body when the header is missing or HEAD is not allowed. An OCI manifest is
   * also read (a few hundred bytes) because only its config says whether it is an image or some other artifact.
   */
  async resolveManifest(reference: string): Promise<ManifestDescriptor> {
    const expectedDigest = reference.startsWith('sha256:') ? reference : undefined;
    const head = await this.request('HEAD', reference);
    if (head.status === 404) throw this.failure(head, reference);
    const headDigest = head.ok ? (head.header('docker-content-digest') ?? undefined) : undefined;
    const headType = head.ok ? mediaTypeOf(head) : '';
    const headAllowed = head.ok || head.status === 405 || head.status === 501 || head.status === 400;
    if (!headAllowed) throw this.failure(head, reference);
    if (head.ok && headDigest && headType && headType !== MEDIA_TYPES.ociManifest) {
      this.refuseNonImage(reference, headType);
      if (expectedDigest && headDigest !== expectedDigest) {
        throw new ChainloopError(
          'IMAGE_DIGEST_MISMATCH',
          `registry ${this.options.registry} answered ${headDigest} for ${this.describe(reference)}: the registry is not trustworthy`,
        );
      }
      const size = Number(head.header('content-length') ?? Number.NaN);
      return { digest: headDigest, mediaType: headType, size: Number.isNaN(size) ? undefined : size };
    }
    const { descriptor, manifest } = await this.getManifest(reference, expectedDigest ?? headDigest);
    this.refuseNonImage(reference, descriptor.mediaType, manifest);
    return descriptor;
  }

  /** The descriptor at a tag or digest, or undefined when the registry has nothing there. Only HEAD (no GET fallback). */
  async findManifest(reference: string): Promise<ManifestDescriptor | undefined> {
    const head = await this.request('HEAD', reference);
    if (head.status === 404) return undefined;
    if (!head.ok) throw this.failure(head, reference);
    const digest = head.header('docker-content-digest');
    if (digest) return { digest, mediaType: mediaTypeOf(head) };
    return (await this.getManifest(reference)).descriptor;
  }
}
