import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../http/api-error';

/** Set by build.mjs in the bundled control plane (the same define that marks the worker file). */
declare const CHAINLOOP_INSPECTION_WORKER: string | undefined;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Where the web UI's build lives: dist/ui next to the bundled control plane (build.mjs copies it there, the release
 * ships it), else packages/web-ui/dist in this repository.
 */
export function defaultUiAssetCandidates(): string[] {
  if (typeof CHAINLOOP_INSPECTION_WORKER === 'string') return [join(__dirname, 'ui')];
  return [fileURLToPath(new URL('../../../web-ui/dist', import.meta.url))];
}

export interface UiAsset {
  bytes: Buffer;
  contentType: string;
}

/**
 * The web UI's files (index.html, app.js, app.css), read once on the first request so a control plane without a
 * built UI still starts and serves its API. Only the files of the build directory are served, by exact name.
 */
export class UiAssetSource {
  #loading?: Promise<Map<string, UiAsset>>;

  constructor(private readonly candidates: string[]) {}

  async get(name: string): Promise<UiAsset | undefined> {
    this.#loading ??= this.#read();
    this.#loading.catch(() => {
      this.#loading = undefined;
    });
    return (await this.#loading).get(name);
  }

  async #read(): Promise<Map<string, UiAsset>> {
    for (const dir of this.candidates) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new ApiError(503, 'UI_UNREADABLE', `the web UI directory ${dir} cannot be read: ${String(error)}`);
      }
      if (!names.includes('index.html')) continue;
      const assets = new Map<string, UiAsset>();
      for (const name of names) {
        const contentType = CONTENT_TYPES[extname(name)];
        if (contentType) assets.set(name, { bytes: await readFile(join(dir, name)), contentType });
      }
      return assets;
    }
    throw new ApiError(
      503,
      'UI_NOT_BUILT',
      `the web UI is not built (looked in ${this.candidates.join(', ')}): run npm run build, or install a released control plane`,
    );
  }
}
