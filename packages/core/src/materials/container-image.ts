import { ChainloopError, isChainloopError } from '../errors';
import { type ResolvedImage, type ResolveImageOptions, resolveContainerImage } from '../oci/resolve';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * Resolution errors that mean "this value may simply not be an image" (a malformed reference, a name no registry
 * knows, no registry there): auto-detection moves on to the next kind. Any other error (wrong credentials, an OCI
 * artifact that is no image, an ambiguous OCI layout) shows the value was meant as an image, so it stops there.
 */
const MAYBE_NOT_AN_IMAGE = new Set([
  'IMAGE_REFERENCE_INVALID',
  'IMAGE_NOT_FOUND',
  'REGISTRY_UNREACHABLE',
  'REGISTRY_AUTH_REQUIRED',
  'OCI_LAYOUT_NOT_FOUND',
]);

function stringOption(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The crafter's options: registryServer, registryUsername, registryPassword, insecureRegistries, env. */
function resolveOptions(options: Record<string, unknown> = {}, cwd: string): ResolveImageOptions {
  const insecure = options.insecureRegistries;
  return {
    registryServer: stringOption(options, 'registryServer'),
    registryUsername: stringOption(options, 'registryUsername'),
    registryPassword: stringOption(options, 'registryPassword'),
    insecureRegistries: Array.isArray(insecure) ? insecure.filter((entry) => typeof entry === 'string') : undefined,
    env: (options.env as NodeJS.ProcessEnv | undefined) ?? process.env,
    cwd,
  };
}

function imageAnnotations(image: ResolvedImage): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (image.tag) annotations['chainloop.material.image.tag'] = image.tag;
  if (image.signature) {
    annotations['chainloop.material.signature.digest'] = image.signature.digest;
    annotations['chainloop.material.signature.provider'] = image.signature.provider;
  }
  return annotations;
}

/**
 * A container image: a registry reference resolved to its manifest or index digest (docker keychain, Basic and Bearer
 * auth), an OCI image-layout folder (`./oci`, `./oci@sha256:…`), or an image in the local engine (see `oci/`).
 */
export const containerImageKind: MaterialKind = {
  kind: 'CONTAINER_IMAGE',
  detectionOrder: 29,
  async inspect(input) {
    let image: ResolvedImage;
    try {
      image = await resolveContainerImage(input.value, resolveOptions(input.options, input.cwd));
    } catch (error) {
      if (!isChainloopError(error)) throw error;
      if (MAYBE_NOT_AN_IMAGE.has(error.code)) {
        const reason = error.message.replace(/^invalid image reference "[^"]*": /, '');
        throw materialInvalid(input.name, `image reference "${input.value}"`, 'CONTAINER_IMAGE', reason, error);
      }
      throw new ChainloopError(error.code, `material "${input.name}": ${error.message}`, {
        cause: error,
        exitCode: error.exitCode,
        graceful: error.graceful,
      });
    }
    return {
      shape: 'image',
      name: image.name,
      digest: image.digest,
      tag: image.tag,
      ...(image.hasLatestTag !== undefined && { hasLatestTag: image.hasLatestTag }),
      annotations: imageAnnotations(image),
    };
  },
};
