/**
 * A real CNCF distribution registry (Debian `docker-registry`) on loopback for the OCI CAS backend, anonymous or with
 * htpasswd Basic auth, and what its storage holds: blob files, and upload sessions still open.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry, storedBlobs } from '../../../core/test/oci/fixtures/registry';
import type { OciCasLocation } from '../../src/cas/oci-location';
import { makeTempDir, removeDir } from './control-plane-process';

export const CAS_REPOSITORY = 'chainloop/cas';
export const REGISTRY_USER = 'cas-writer';
export const REGISTRY_PASSWORD = 'correct horse battery staple';

export interface CasRegistry {
  registry: RunningRegistry;
  /** `oci://127.0.0.1:<port>/chainloop/cas`, for --cas. */
  casUrl(repository?: string): string;
  location(options?: { repository?: string; mountFrom?: string[]; withCredentials?: boolean }): OciCasLocation;
  /** Hex digests of every blob file the registry stores (CAS blobs, manifests and the empty config). */
  blobs(): string[];
  /**
   * Open upload sessions of a repository (holding received bytes or a start time): what a refused upload must not
   * leave behind. A cancelled session is gone but for a hash state file docker-registry 2.8 writes back after the
   * DELETE (no bytes; its upload purger removes it), so that alone does not count.
   */
  uploads(repository?: string): string[];
  /** Bytes received by the open upload sessions of a repository. */
  uploadedBytes(repository?: string): number;
  stop(): Promise<void>;
}

export async function startCasRegistry(auth: 'anonymous' | 'htpasswd' = 'anonymous'): Promise<CasRegistry> {
  const authDir = makeTempDir('cas-registry-auth-');
  let registry: RunningRegistry;
  try {
    if (auth === 'htpasswd') {
      const htpasswdPath = join(authDir, 'htpasswd');
      writeFileSync(htpasswdPath, execFileSync('htpasswd', ['-Bbn', REGISTRY_USER, REGISTRY_PASSWORD]));
      registry = await startRegistry({ mode: 'htpasswd', htpasswdPath });
    } else {
      registry = await startRegistry();
    }
  } catch (error) {
    removeDir(authDir);
    throw error;
  }
  const v2 = join(registry.storageDir, 'docker', 'registry', 'v2');
  const uploadsDir = (repository: string) => join(v2, 'repositories', repository, '_uploads');
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return {
    registry,
    casUrl: (repository = CAS_REPOSITORY) => `oci://${registry.host}/${repository}`,
    location: ({ repository = CAS_REPOSITORY, mountFrom = [], withCredentials = auth === 'htpasswd' } = {}) => ({
      registry: registry.host,
      repository,
      insecure: true,
      mountFrom,
      credential: withCredentials ? { username: REGISTRY_USER, password: REGISTRY_PASSWORD } : undefined,
    }),
    blobs: () => storedBlobs(registry),
    uploads: (repository = CAS_REPOSITORY) =>
      list(uploadsDir(repository)).filter((session) =>
        ['data', 'startedat'].some((file) => existsSync(join(uploadsDir(repository), session, file))),
      ),
    uploadedBytes: (repository = CAS_REPOSITORY) =>
      list(uploadsDir(repository)).reduce((sum, session) => {
        const data = join(uploadsDir(repository), session, 'data');
        return sum + (existsSync(data) ? statSync(data).size : 0);
      }, 0),
    stop: async () => {
      await registry.stop();
      removeDir(authDir);
    },
  };
}
