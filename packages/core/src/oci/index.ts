// Container images: references, registries (OCI distribution API), the docker keychain, OCI layouts and the local engine.
export {
  type AuthChallenge,
  type AuthorizeContext,
  authorizeChallenge,
  clearTokenCache,
  parseAuthChallenge,
} from './auth';
export {
  type DaemonEndpoint,
  type DaemonImage,
  DOCKER_DAEMON_PREFIX,
  findDaemonEndpoint,
  inspectDaemonImage,
} from './daemon';
export { isInsecureRegistry, parseInsecureRegistries } from './insecure';
export {
  dockerConfigPath,
  findRegistryCredential,
  type KeychainOptions,
  type KeychainResult,
  type RegistryCredential,
} from './keychain';
export { isOciLayout, type LayoutImage, readOciLayoutImage, splitLayoutValue } from './layout';
export {
  DOCKER_HUB_REGISTRY,
  formatImageReference,
  type ImageReference,
  normalizeRegistryHost,
  parseImageReference,
} from './reference';
export { type ManifestDescriptor, MEDIA_TYPES, RegistryClient, type RegistryClientOptions } from './registry-client';
export { type ResolvedImage, type ResolveImageOptions, resolveContainerImage } from './resolve';
export { cosignSignatureTag, findCosignSignature, type ImageSignature } from './signatures';
