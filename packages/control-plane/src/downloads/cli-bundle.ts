import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHAINLOOP_TS_VERSION } from '@chainloop-ts/core';
import { ApiError } from '../http/api-error';

/** Set by build.mjs in the bundled control plane (the same define that marks the worker file). */
declare const CHAINLOOP_INSPECTION_WORKER: string | undefined;

export const CLI_BUNDLE_NAME = 'chainloop.cjs';

/**
 * Where the single-file CLI of this version lives: next to the bundled control plane in a release (the release
 * script copies it there), else the CLI package's build in this repository.
 */
export function defaultCliBundleCandidates(): string[] {
  if (typeof CHAINLOOP_INSPECTION_WORKER === 'string') {
    return [join(__dirname, CLI_BUNDLE_NAME), join(__dirname, '..', '..', 'cli', 'dist', CLI_BUNDLE_NAME)];
  }
  return [fileURLToPath(new URL(`../../../cli/dist/${CLI_BUNDLE_NAME}`, import.meta.url))];
}

export interface CliBundle {
  bytes: Buffer;
  sha256: string;
}

/**
 * The CLI this control plane hands to CI jobs (GET /v1/downloads/chainloop.cjs). Read once, on the first request, so
 * a control plane without one still starts; a bundle of another version is refused rather than served, since the
 * jobs rely on the CLI matching its server.
 */
export class CliBundleSource {
  #loading?: Promise<CliBundle>;

  constructor(private readonly candidates: string[]) {}

  load(): Promise<CliBundle> {
    this.#loading ??= this.#read();
    // A failed read is retried on the next request (the bundle may be built meanwhile in a development checkout).
    this.#loading.catch(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #read(): Promise<CliBundle> {
    for (const path of this.candidates) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new ApiError(503, 'CLI_BUNDLE_UNREADABLE', `the CLI bundle ${path} cannot be read: ${String(error)}`);
      }
      if (!bytes.includes(`CHAINLOOP_TS_VERSION="${CHAINLOOP_TS_VERSION}"`)) {
        throw new ApiError(
          503,
          'CLI_BUNDLE_VERSION_MISMATCH',
          `the CLI bundle ${path} is not version ${CHAINLOOP_TS_VERSION} of this control plane: install the matching @chainloop-ts/control-plane release, or pass --cli-bundle with the CLI of ${CHAINLOOP_TS_VERSION}`,
        );
      }
      return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
    throw new ApiError(
      404,
      'CLI_BUNDLE_NOT_AVAILABLE',
      `this control plane has no CLI to serve (looked in ${this.candidates.join(', ')}): start it with --cli-bundle pointing at chainloop.cjs ${CHAINLOOP_TS_VERSION}, or install the CLI from npm in the job`,
    );
  }
}
