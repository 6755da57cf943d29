/**
 * The CAS backends the route and security suites run against, so the access rules are proven for each: the
 * filesystem under --data-dir (the default) and an OCI registry (`--cas oci://…` on a real docker-registry).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCasRegistry } from './cas-registry';

export interface CasStoreUnderTest {
  /** Extra `control-plane start` flags that select this store. */
  args: string[];
  /** Hex digests of the blob files the store keeps (for the registry: manifests and the empty config too). */
  blobs(dataDir: string): string[];
  /** Temp files or open upload sessions: what a refused or finished upload must not leave behind. */
  leftovers(dataDir: string): string[];
  stop(): Promise<void>;
}

export interface CasBackendUnderTest {
  name: string;
  start(): Promise<CasStoreUnderTest>;
}

const filesystem: CasBackendUnderTest = {
  name: 'filesystem',
  start: async () => ({
    args: [],
    blobs: (dataDir) => {
      const blobsDir = join(dataDir, 'cas', 'sha256');
      return readdirSync(blobsDir).flatMap((prefix) => readdirSync(join(blobsDir, prefix)));
    },
    leftovers: (dataDir) => readdirSync(join(dataDir, 'cas', 'tmp')),
    stop: async () => {},
  }),
};

const ociRegistry: CasBackendUnderTest = {
  name: 'OCI registry',
  start: async () => {
    const registry = await startCasRegistry('anonymous');
    return {
      args: ['--cas', registry.casUrl(), '--cas-insecure'],
      blobs: () => registry.blobs(),
      leftovers: () => registry.uploads(),
      stop: () => registry.stop(),
    };
  },
};

export const CAS_BACKENDS: CasBackendUnderTest[] = [filesystem, ociRegistry];
