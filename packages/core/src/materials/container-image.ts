import { isChainloopError } from '../errors';
import { parseImageReference } from '../oci/reference';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * An image given by digest (`repo@sha256:…` or `repo:tag@sha256:…`), recorded as is. Resolving tags against a
 * registry, OCI layouts and the local engine live in `oci/` and extend this kind.
 */
export const containerImageKind: MaterialKind = {
  kind: 'CONTAINER_IMAGE',
  detectionOrder: 29,
  async inspect(input) {
    const what = `image reference "${input.value}"`;
    let reference: ReturnType<typeof parseImageReference>;
    try {
      reference = parseImageReference(input.value);
    } catch (error) {
      const reason = isChainloopError(error)
        ? error.message.replace(/^invalid image reference "[^"]*": /, '')
        : String(error);
      throw materialInvalid(input.name, what, 'CONTAINER_IMAGE', reason, error);
    }
    if (reference.digest === undefined) {
      throw materialInvalid(
        input.name,
        what,
        'CONTAINER_IMAGE',
        'it has no digest; give the image by digest, e.g. ghcr.io/org/app@sha256:<64 hex>',
      );
    }
    if (!reference.digest.startsWith('sha256:')) {
      throw materialInvalid(input.name, what, 'CONTAINER_IMAGE', `digest "${reference.digest}" is not sha256`);
    }
    return {
      shape: 'image',
      name: reference.name,
      digest: reference.digest,
      tag: reference.tag,
      annotations: {},
    };
  },
};
