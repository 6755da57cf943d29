import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { ChainloopError, UsageError } from '../errors';
import type { ImageSignature } from './signatures';

/** An image picked from an OCI image-layout folder (reference §8). */
export interface LayoutImage {
  /** `oci-layout:<ref.name | base.name | unknown>`. */
  name: string;
  digest: string;
  /** The tag of the `io.containerd.image.name` annotation, when it has one. */
  tag?: string;
  mediaType: string;
  signature?: ImageSignature;
}

interface LayoutDescriptor {
  mediaType?: string;
  digest?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const CONTAINERD_NAME = 'io.containerd.image.name';
const SIGNATURE_ARTIFACT_TYPES: Record<string, ImageSignature['provider']> = {
  'application/vnd.dev.cosign.simplesigning.v1+json': 'cosign',
  'application/vnd.cncf.notary.signature': 'notary',
};

/** Splits `./build/oci@sha256:…` into the folder and the digest selector. */
export function splitLayoutValue(value: string): { path: string; selector?: string } {
  const at = value.lastIndexOf('@');
  if (at > 0 && /^[a-z0-9]+:/.test(value.slice(at + 1)))
    return { path: value.slice(0, at), selector: value.slice(at + 1) };
  return { path: value };
}

/** True when `path` is a folder holding an `oci-layout` file. */
export function isOciLayout(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'oci-layout'));
  } catch {
    return false;
  }
}

/** The tag in a containerd image name (`ghcr.io/org/image:v2` → `v2`); none for digest or untagged names. */
function containerdTag(imageName: string | undefined): string | undefined {
  if (!imageName || imageName.includes('@')) return undefined;
  const colon = imageName.lastIndexOf(':');
  return colon > imageName.lastIndexOf('/') ? imageName.slice(colon + 1) : undefined;
}

/**
 * Reads `index.json` of an OCI image layout and picks the image: the only one, or the one `selector` names.
 * Signature manifests in the same index (base.digest = the image, cosign or notary artifact type) are reported.
 */
export async function readOciLayoutImage(
  layoutPath: string,
  selector?: string,
  cwd = process.cwd(),
): Promise<LayoutImage> {
  const folder = resolvePath(cwd, layoutPath);
  const indexPath = join(folder, 'index.json');
  let index: { manifests?: LayoutDescriptor[] };
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests?: LayoutDescriptor[] };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'is missing'
        : `is not valid JSON (${(error as Error).message})`;
    throw new ChainloopError(
      'OCI_LAYOUT_INVALID',
      `OCI layout ${layoutPath}: ${indexPath} ${reason}; write the layout with skopeo, crane or oras`,
    );
  }
  const all = Array.isArray(index.manifests) ? index.manifests.filter((m) => typeof m.digest === 'string') : [];
  const signatures = all.filter((m) => m.artifactType && SIGNATURE_ARTIFACT_TYPES[m.artifactType]);
  const images = all.filter((m) => !signatures.includes(m));
  let chosen: LayoutDescriptor | undefined;
  if (selector !== undefined) {
    chosen = images.find((m) => m.digest === selector);
    if (!chosen) {
      throw new UsageError(
        'OCI_LAYOUT_DIGEST_NOT_FOUND',
        `digest ${selector} not found in OCI layout ${layoutPath}: available digests: ${images.map((m) => m.digest).join(', ') || 'none'}`,
      );
    }
  } else if (images.length === 1) {
    chosen = images[0];
  } else if (images.length === 0) {
    throw new ChainloopError(
      'OCI_LAYOUT_INVALID',
      `OCI layout ${layoutPath} contains no images: its index.json lists no manifests`,
    );
  } else {
    throw new UsageError(
      'OCI_LAYOUT_AMBIGUOUS',
      `OCI layout ${layoutPath} contains ${images.length} images, please specify which one to use with @digest. Available digests: ${images.map((m) => m.digest).join(', ')}`,
    );
  }
  const digest = chosen.digest as string;
  const annotations = chosen.annotations ?? {};
  const signatureDescriptor = signatures.find((m) => m.annotations?.[BASE_DIGEST] === digest);
  return {
    name: `oci-layout:${annotations[REF_NAME] || annotations[BASE_NAME] || 'unknown'}`,
    digest,
    tag: containerdTag(annotations[CONTAINERD_NAME]),
    mediaType: chosen.mediaType ?? '',
    signature: signatureDescriptor
      ? {
          provider: SIGNATURE_ARTIFACT_TYPES[signatureDescriptor.artifactType as string],
          digest: signatureDescriptor.digest as string,
        }
      : undefined,
  };
}
