// The OCI CAS backend against Debian's docker-registry on loopback, anonymous and with htpasswd Basic auth. Small
// chunks (1 MiB monolithic, 4 MiB per PATCH) so the conformance suite's larger blobs take several PATCH requests.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { casTag, OciCasBackend } from '../../src/cas/oci-backend';
import { CAS_REPOSITORY, type CasRegistry, startCasRegistry } from '../helpers/cas-registry';
import { casConformance } from './cas-conformance';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

for (const auth of ['anonymous', 'htpasswd'] as const) {
  casConformance(`OCI registry (${auth})`, async () => {
    const registry = await startCasRegistry(auth);
    const backend = new OciCasBackend(registry.location(), {
      monolithicMaxBytes: 1024 * 1024,
      chunkBytes: 4 * 1024 * 1024,
    });
    await backend.init();
    return {
      backend,
      bytesInFlight: () => registry.uploadedBytes(),
      leftovers: () => registry.uploads(),
      close: () => registry.stop(),
    };
  });
}

describe('OCI CAS backend: what only a registry does', { timeout: 120_000 }, () => {
  let registry: CasRegistry;
  before(async () => {
    registry = await startCasRegistry('anonymous');
  });
  after(async () => {
    await registry?.stop();
  });

  const open = async (options: Parameters<CasRegistry['location']>[0] = {}) => {
    const backend = new OciCasBackend(registry.location(options));
    await backend.init();
    return backend;
  };

  test('a blob the registry serves altered fails the read stream instead of passing the bytes on', async () => {
    const backend = await open();
    const data = randomBytes(256 * 1024);
    const digest = sha256(data);
    await backend.write(Readable.from([data]), { expectedDigest: digest, maxBytes: MiB });
    // Flip one byte of the stored blob on the registry's disk (same size, so only the hash tells).
    const hex = digest.slice('sha256:'.length);
    const file = join(registry.registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const stored = readFileSync(file);
    stored[1000] ^= 0xff;
    writeFileSync(file, stored);

    const read = await backend.read(digest);
    assert.equal(read?.size, data.length);
    await assert.rejects(
      async () => {
        for await (const _ of read.stream);
      },
      {
        code: 'CAS_DIGEST_MISMATCH',
        message: new RegExp(
          `^CAS registry ${registry.registry.host} sent bytes hashing to sha256:[0-9a-f]{64} for blob ${digest}: `,
        ),
      },
    );
  });

  test('a blob another repository has is mounted, not sent again, once the uploader has proven it has the bytes', async () => {
    const images = await open({ repository: 'team/images' });
    const data = randomBytes(2 * MiB);
    const digest = sha256(data);
    await images.write(Readable.from([data]), { expectedDigest: digest, maxBytes: 4 * MiB });

    const cas = await open({ mountFrom: ['team/other', 'team/images'] });
    // Every upload session the registry opens in the CAS repository shows up here, however briefly.
    const sessions = join(registry.registry.storageDir, 'docker/registry/v2/repositories', CAS_REPOSITORY, '_uploads');
    mkdirSync(sessions, { recursive: true });
    const sessionsOpened = new Set<string>();
    const watcher = watch(sessions, (_event, name) => {
      if (name) sessionsOpened.add(name);
    });
    after(() => watcher.close());
    // Proof of possession first: other bytes claiming that digest mount nothing.
    await assert.rejects(
      cas.write(Readable.from([randomBytes(2 * MiB)]), { expectedDigest: digest, maxBytes: 4 * MiB }),
      {
        code: 'DIGEST_MISMATCH',
      },
    );
    assert.equal(await cas.stat(digest), undefined);

    const written = await cas.write(Readable.from([data]), {
      expectedDigest: digest,
      maxBytes: 4 * MiB,
      metadata: { fileName: 'layer.tar', workflow: { id: 'wf-1', name: 'build' } },
    });
    assert.deepEqual(written, { digest, size: data.length, created: true });
    assert.deepEqual(await cas.stat(digest), { digest, size: data.length });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      [...sessionsOpened],
      [],
      'no upload session: the refused bytes were only hashed, the blob was mounted',
    );
    const read = await cas.read(digest);
    const chunks: Buffer[] = [];
    for await (const chunk of read?.stream ?? []) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data));
    assert.equal(await cas.client.hasManifest(casTag(digest)), true, 'the mounted blob is kept by its own manifest');
  });
});
