import type { MaterialKindName } from '../contract/model';

/** What the crafter hands a material kind. */
export interface MaterialInput {
  /** Material name (DNS-1123 label). */
  name: string;
  /** The --value as given (after env:// expansion): a string, a file path or an image reference. */
  value: string;
  /** Working directory relative file paths resolve against. */
  cwd: string;
  /** Options some kinds need (registry credentials, insecure registries…); unknown keys are ignored. */
  options?: Record<string, unknown>;
}

/**
 * What a kind learned from the value, before any upload. File kinds return the path; the crafter hashes and
 * uploads the file in one streaming pass, so a kind never buffers a large file it does not need to parse.
 */
export type InspectedMaterial =
  | { shape: 'string'; value: string; annotations: Record<string, string> }
  | {
      shape: 'file';
      path: string;
      fileName: string;
      annotations: Record<string, string>;
      /**
       * Set when `path` is a temporary file the kind wrote in place of the user's (TRUFFLEHOG_JSON's clean scan):
       * the crafter calls it once the material is stored and its policies evaluated.
       */
      dispose?: () => Promise<void>;
    }
  | {
      shape: 'image';
      /** Fully qualified repository, e.g. `index.docker.io/library/nginx`, or `oci-layout:<name>`. */
      name: string;
      digest: string;
      tag?: string;
      /** Registry images: the tag is `latest`, or `<repo>:latest` names the same digest (Chainloop's has_latest_tag). */
      hasLatestTag?: boolean;
      annotations: Record<string, string>;
    };

export interface MaterialKind {
  readonly kind: MaterialKindName;
  /** Position in auto-detection; undefined when the kind is never auto-detected (EVIDENCE). Lower is tried first. */
  readonly detectionOrder?: number;
  /**
   * Validates the value as this kind. Throws a ChainloopError with code `MATERIAL_INVALID` (and a message that
   * names the material, the file and the reason) when the value is not of this kind.
   */
  inspect(input: MaterialInput): Promise<InspectedMaterial>;
}
