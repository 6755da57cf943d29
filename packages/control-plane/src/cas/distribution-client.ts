// The part of the OCI distribution API the OCI CAS needs: blobs (HEAD, GET, uploads, mounts) and manifests (HEAD, PUT).
// Authentication is core's (the docker keychain, Basic, Bearer tokens from the registry's realm); the messages are the
// control plane's own, naming --cas and CHAINLOOP_CP_CAS_USERNAME/_PASSWORD as the fix.
import type { Readable } from 'node:stream';
import { ChainloopError } from '@chainloop-ts/core';
import {
  connectionErrorCode,
  type HttpRequestOptions,
  type HttpResponse,
  httpRequest,
  isTlsErrorCode,
} from '@chainloop-ts/core/http';
import {
  type AuthChallenge,
  authorizeChallenge,
  dockerConfigPath,
  findRegistryCredential,
  type KeychainResult,
  parseAuthChallenge,
} from '@chainloop-ts/core/oci';
import type { OciCasLocation } from './oci-location';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** Small requests (HEAD, POST, PUT of a manifest) answer within this; streamed bodies only have an idle timeout. */
const REQUEST_TIMEOUT_MS = 30_000;
const STREAM_IDLE_TIMEOUT_MS = 60_000;
const RETRY_PAUSES_MS = [100, 400];
const CREDENTIALS_FROM_ENV = 'CHAINLOOP_CP_CAS_USERNAME/CHAINLOOP_CP_CAS_PASSWORD';

interface Exchange {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** The token scope the request needs, e.g. `repository:chainloop/cas:pull,push`. */
  scope: string;
  /** What the request does, for messages: `upload of blob sha256:…`. */
  what: string;
  headers?: Record<string, string>;
  body?: HttpRequestOptions['body'];
  /** A long transfer: no overall deadline, only an idle timeout. */
  streaming?: boolean;
}

/** The registry's own error answer: `{"errors":[{"code":"DIGEST_INVALID","message":"…"}]}`. */
interface RegistryErrors {
  errors?: Array<{ code?: string; message?: string }>;
}

/** A client for the CAS repository of one registry; remembers how the registry asked to be authenticated. */
export class DistributionClient {
  private keychain?: Promise<KeychainResult>;
  /** The challenge a scope was answered with; a Basic challenge holds for every scope. */
  private readonly challenges = new Map<string, AuthChallenge>();
  private basicChallenge?: AuthChallenge;
  readonly pushScope: string;

  constructor(
    readonly location: OciCasLocation,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.pushScope = `repository:${location.repository}:pull,push`;
  }

  /** `registry/repository`, for messages. */
  get name(): string {
    return `${this.location.registry}/${this.location.repository}`;
  }

  private get base(): string {
    return `${this.location.insecure ? 'http' : 'https'}://${this.location.registry}`;
  }

  repositoryUrl(repository: string, path: string): string {
    return `${this.base}/v2/${repository}/${path}`;
  }

  /** Where the credential comes from: CHAINLOOP_CP_CAS_USERNAME/_PASSWORD, else the docker keychain, else anonymous. */
  credentials(): Promise<KeychainResult> {
    this.keychain ??= (async () => {
      const { credential } = this.location;
      if (credential) return { credential, source: CREDENTIALS_FROM_ENV };
      return findRegistryCredential(this.location.registry, { env: this.env });
    })();
    return this.keychain;
  }

  private challengeFor(scope: string): AuthChallenge | undefined {
    return this.challenges.get(scope) ?? this.basicChallenge;
  }

  /** The Authorization header for a scope: Basic, or a Bearer token (core caches it and renews it when it expires). */
  private async authorize(
    challenge: AuthChallenge,
    scope: string,
    keychain: KeychainResult,
    what: string,
  ): Promise<string> {
    try {
      return await authorizeChallenge(challenge, { registry: this.location.registry, scope, keychain });
    } catch (error) {
      if (!(error instanceof ChainloopError)) throw error;
      if (error.code === 'REGISTRY_AUTH_REQUIRED' || error.code === 'REGISTRY_AUTH_FAILED') {
        throw this.authFailed(401, keychain, challenge.scheme === 'basic' ? what : `the token request for ${what}`);
      }
      if (error.code === 'REGISTRY_UNREACHABLE') {
        throw new ChainloopError(
          'CAS_UNREACHABLE',
          `the token server of CAS registry ${this.location.registry} is unreachable (${error.message.replace(/:[^:]*$/, '')}): check that the registry's token service is running`,
          { cause: error },
        );
      }
      throw new ChainloopError(
        'CAS_AUTH_FAILED',
        `CAS registry ${this.location.registry} cannot be authenticated with: ${error.message}`,
        { cause: error },
      );
    }
  }

  /**
   * Sends one request; a HEAD or GET the registry fails with 5xx is tried twice more (docker-registry's filesystem
   * storage answers 500 when it reads a link file another request is rewriting).
   */
  async send(exchange: Exchange): Promise<HttpResponse> {
    const idempotent = exchange.method === 'HEAD' || exchange.method === 'GET';
    for (const pauseMs of idempotent ? RETRY_PAUSES_MS : []) {
      const response = await this.sendOnce(exchange);
      if (response.status < 500) return response;
      response.discard();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return this.sendOnce(exchange);
  }

  /** Sends one request, answering the registry's WWW-Authenticate challenge once when it asks for one. */
  private async sendOnce(exchange: Exchange): Promise<HttpResponse> {
    const keychain = await this.credentials();
    const attempt = async () => {
      const headers: Record<string, string> = { ...exchange.headers };
      const challenge = this.challengeFor(exchange.scope);
      if (challenge) headers.Authorization = await this.authorize(challenge, exchange.scope, keychain, exchange.what);
      try {
        return await httpRequest(exchange.url, {
          method: exchange.method,
          headers,
          body: exchange.body,
          timeoutMs: exchange.streaming ? undefined : REQUEST_TIMEOUT_MS,
          idleTimeoutMs: exchange.streaming ? STREAM_IDLE_TIMEOUT_MS : undefined,
        });
      } catch (error) {
        throw this.unreachable(error);
      }
    };
    const hadChallenge = this.challengeFor(exchange.scope) !== undefined;
    let response = await attempt();
    if (response.status === 401 && !hadChallenge) {
      const challenge = parseAuthChallenge(response.header('www-authenticate') ?? '');
      response.discard();
      // A streamed body cannot be sent twice; callers start an upload with a bodiless request of the same scope.
      const streamed =
        typeof exchange.body === 'function' || (typeof exchange.body === 'object' && 'writeTo' in exchange.body);
      if (!challenge || streamed) throw this.authFailed(401, keychain, exchange.what);
      if (challenge.scheme === 'basic') this.basicChallenge = challenge;
      else this.challenges.set(exchange.scope, challenge);
      response = await attempt();
    }
    if (response.status === 401 || response.status === 403) {
      response.discard();
      throw this.authFailed(response.status, keychain, exchange.what);
    }
    return response;
  }

  private unreachable(error: unknown): ChainloopError {
    const code = connectionErrorCode(error) ?? (error as Error).message;
    const { registry, insecure } = this.location;
    if (!insecure && isTlsErrorCode(code)) {
      return new ChainloopError(
        'CAS_UNREACHABLE',
        `CAS registry ${registry} did not complete an HTTPS handshake (${code}): if its certificate is private, add the CA with NODE_EXTRA_CA_CERTS; a registry on loopback that serves plain HTTP needs --cas-insecure`,
        { cause: error },
      );
    }
    const reason = code === 'ETIMEDOUT' ? 'no answer in time' : code;
    return new ChainloopError(
      'CAS_UNREACHABLE',
      `CAS registry ${registry} is unreachable at ${this.base} (${reason}): check the --cas address and that the registry is running`,
      { cause: error },
    );
  }

  private authFailed(status: number, keychain: KeychainResult, what: string): ChainloopError {
    const { registry, repository } = this.location;
    const fix = `set CHAINLOOP_CP_CAS_USERNAME and CHAINLOOP_CP_CAS_PASSWORD, or add an auths entry for ${registry} to ${dockerConfigPath(this.env)}`;
    if (status === 403) {
      return new ChainloopError(
        'CAS_AUTH_FAILED',
        `CAS registry ${registry} denied ${what} in repository ${repository} (HTTP 403) to ${keychain.credential ? `user "${keychain.credential.username}"` : 'anonymous access'} from ${keychain.source}: give that user pull and push rights on ${repository}`,
      );
    }
    if (!keychain.credential) {
      return new ChainloopError(
        'CAS_AUTH_REQUIRED',
        `CAS registry ${registry} requires authentication (HTTP ${status} to ${what}) and no credentials were found (${keychain.source}): ${fix}`,
      );
    }
    const who = keychain.credential.identityToken
      ? 'identity token'
      : `credentials of user "${keychain.credential.username}"`;
    return new ChainloopError(
      'CAS_AUTH_FAILED',
      `CAS registry ${registry} refused the ${who} from ${keychain.source} (HTTP ${status} to ${what}): correct them there, or ${fix}`,
    );
  }

  /** Turns a registry's unexpected answer into one line; its DIGEST_INVALID (the bytes it got hash otherwise) too. */
  async failure(response: HttpResponse, what: string, uploadedBytes = false): Promise<ChainloopError> {
    let detail = '';
    let code: string | undefined;
    if (response.body.readableEnded) response.discard();
    else {
      const text = await response.text().catch(() => '');
      try {
        const first = (JSON.parse(text) as RegistryErrors).errors?.[0];
        code = first?.code;
        if (first) detail = `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
      } catch {
        // Not the registry's JSON error shape: the status says enough.
      }
    }
    if (code === 'DIGEST_INVALID' && uploadedBytes) {
      return new ChainloopError(
        'DIGEST_MISMATCH',
        `CAS registry ${this.location.registry} found that the uploaded bytes do not hash to the digest (${what}): nothing was stored, upload the file again`,
      );
    }
    return new ChainloopError(
      'CAS_REGISTRY_ERROR',
      `CAS registry ${this.location.registry} answered HTTP ${response.status} to ${what} in ${this.location.repository}${detail.slice(0, 300)}: check the registry's logs and free space`,
    );
  }

  /** GET /v2/: the registry answers and the credentials are accepted. */
  async ping(): Promise<void> {
    const what = 'the API version check (GET /v2/)';
    const response = await this.send({ method: 'GET', url: `${this.base}/v2/`, scope: this.pushScope, what });
    if (!response.ok) throw await this.failure(response, what);
    response.discard();
  }

  /** The blob's size, or undefined when the repository does not have it. */
  async statBlob(digest: string, repository = this.location.repository): Promise<number | undefined> {
    const what = `HEAD of blob ${digest}`;
    const scope = repository === this.location.repository ? this.pushScope : `repository:${repository}:pull`;
    const response = await this.send({
      method: 'HEAD',
      url: this.repositoryUrl(repository, `blobs/${digest}`),
      scope,
      what,
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.failure(response, what);
    const size = Number(response.header('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ChainloopError(
        'CAS_REGISTRY_ERROR',
        `CAS registry ${this.location.registry} answered HEAD of blob ${digest} without a Content-Length: it does not speak the OCI distribution API`,
      );
    }
    return size;
  }

  /** The blob's bytes as they arrive (redirects to a storage backend followed), or undefined when it is not there. */
  async getBlob(digest: string): Promise<HttpResponse | undefined> {
    const what = `download of blob ${digest}`;
    const response = await this.send({
      method: 'GET',
      url: this.repositoryUrl(this.location.repository, `blobs/${digest}`),
      scope: this.pushScope,
      what,
      streaming: true,
    });
    if (response.status === 404) {
      response.discard();
      return undefined;
    }
    if (!response.ok) throw await this.failure(response, what);
    return response;
  }

  /**
   * Starts an upload session (POST …/blobs/uploads/). With `mount`, asks the registry to link the blob from another
   * repository instead: `mounted` when it did, else the session it opened in its place.
   */
  async startUpload(mount?: {
    digest: string;
    from: string;
  }): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const what = mount ? `mount of blob ${mount.digest} from ${mount.from}` : 'start of a blob upload';
    const response = await this.send({
      method: 'POST',
      url: this.repositoryUrl(this.location.repository, `blobs/uploads/${query}`),
      scope: mount ? `${this.pushScope} repository:${mount.from}:pull` : this.pushScope,
      what,
      headers: { 'Content-Length': '0' },
    });
    if (mount && response.status === 201) {
      response.discard();
      return { mounted: true };
    }
    if (response.status !== 202) throw await this.failure(response, what);
    response.discard();
    return { mounted: false, location: this.sessionUrl(response, what) };
  }

  private sessionUrl(response: HttpResponse, what: string): string {
    const location = response.header('location');
    if (!location) {
      throw new ChainloopError(
        'CAS_REGISTRY_ERROR',
        `CAS registry ${this.location.registry} answered ${what} without a Location: it does not speak the OCI distribution API`,
      );
    }
    return new URL(location, this.base).toString();
  }

  /** Streams one chunk of the blob into the session (PATCH); resolves with where the session continues. */
  async patchUpload(location: string, body: () => Readable, what: string): Promise<string> {
    const response = await this.send({
      method: 'PATCH',
      url: location,
      scope: this.pushScope,
      what,
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
      streaming: true,
    });
    if (response.status !== 202) throw await this.failure(response, what, true);
    response.discard();
    return this.sessionUrl(response, what);
  }

  /** Closes the session under `digest` (PUT ?digest=), with the last bytes (monolithic upload) or none. */
  async commitUpload(location: string, digest: string, bytes: Buffer, what: string): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const response = await this.send({
      method: 'PUT',
      url: url.toString(),
      scope: this.pushScope,
      what,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
      body: bytes,
      streaming: bytes.length > 0,
    });
    if (response.status !== 201) throw await this.failure(response, what, true);
    response.discard();
    const stored = response.header('docker-content-digest');
    if (stored && stored !== digest) {
      throw new ChainloopError(
        'DIGEST_MISMATCH',
        `CAS registry ${this.location.registry} stored the upload as ${stored}, not ${digest}: the registry or a proxy altered the bytes; do not trust this registry`,
      );
    }
  }

  /** Abandons an upload session so the registry drops what it received; failures are left to its own cleanup. */
  async cancelUpload(location: string): Promise<void> {
    try {
      const response = await this.send({
        method: 'DELETE',
        url: location,
        scope: this.pushScope,
        what: 'upload cancel',
      });
      response.discard();
    } catch {
      // The registry purges abandoned uploads itself (distribution: after a week by default).
    }
  }

  async hasManifest(tag: string): Promise<boolean> {
    const what = `HEAD of manifest ${tag}`;
    const response = await this.send({
      method: 'HEAD',
      url: this.repositoryUrl(this.location.repository, `manifests/${tag}`),
      scope: this.pushScope,
      what,
      headers: { Accept: OCI_MANIFEST_MEDIA_TYPE },
    });
    if (response.status === 404) return false;
    if (!response.ok) throw await this.failure(response, what);
    return true;
  }

  async putManifest(tag: string, manifest: Buffer): Promise<void> {
    const what = `push of manifest ${tag}`;
    const response = await this.send({
      method: 'PUT',
      url: this.repositoryUrl(this.location.repository, `manifests/${tag}`),
      scope: this.pushScope,
      what,
      headers: { 'Content-Type': OCI_MANIFEST_MEDIA_TYPE, 'Content-Length': String(manifest.length) },
      body: manifest,
    });
    if (response.status !== 201) throw await this.failure(response, what);
    response.discard();
  }
}
