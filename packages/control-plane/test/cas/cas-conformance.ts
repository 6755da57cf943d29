/**
 * What every CAS backend must do, run against each of them (filesystem-backend.test.ts, oci-backend.test.ts): the
 * routes and access rules above the backend rely on exactly this.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { CasBackend } from '../../src/cas/backend';

export interface CasUnderTest {
  backend: CasBackend;
  /** Bytes of uploads in progress that the backend has already passed on (temp files, registry upload sessions). */
  bytesInFlight(): number;
  /** What an interrupted or refused upload left behind (temp files, open upload sessions): must be empty. */
  leftovers(): string[];
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body arriving in 64 KiB pieces, as a socket delivers it. */
function body(data: Buffer, piece = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += piece) yield data.subarray(offset, offset + piece);
    })(),
  );
}

export function casConformance(name: string, open: () => Promise<CasUnderTest>): void {
  describe(`CAS backend conformance: ${name}`, { timeout: 180_000 }, () => {
    let cas: CasUnderTest;
    before(async () => {
      cas = await open();
    });
    after(async () => {
      await cas?.close();
    });

    test('write, stat and read round trip, under the digest given or the one computed', {
      timeout: 30_000,
    }, async () => {
      const data = randomBytes(300 * 1024 + 7);
      const digest = sha256(data);
      assert.deepEqual(await cas.backend.write(body(data), { expectedDigest: digest, maxBytes: 10 * MiB }), {
        digest,
        size: data.length,
        created: true,
      });
      assert.deepEqual(await cas.backend.stat(digest), { digest, size: data.length });
      const read = await cas.backend.read(digest);
      assert.equal(read?.size, data.length);
      assert.ok((await readAll(read.stream)).equals(data));

      const unnamed = randomBytes(1000);
      assert.deepEqual(await cas.backend.write(body(unnamed), { maxBytes: 10 * MiB }), {
        digest: sha256(unnamed),
        size: unnamed.length,
        created: true,
      });
      const empty = Buffer.alloc(0);
      assert.deepEqual(await cas.backend.write(body(empty), { expectedDigest: sha256(empty), maxBytes: MiB }), {
        digest: sha256(empty),
        size: 0,
        created: true,
      });
      assert.equal((await readAll((await cas.backend.read(sha256(empty)))?.stream as Readable)).length, 0);
    });

    test('writing a blob that is there already answers created: false and keeps one copy', {
      timeout: 30_000,
    }, async () => {
      const data = randomBytes(64 * 1024);
      const digest = sha256(data);
      assert.equal((await cas.backend.write(body(data), { expectedDigest: digest, maxBytes: MiB })).created, true);
      assert.deepEqual(await cas.backend.write(body(data), { expectedDigest: digest, maxBytes: MiB }), {
        digest,
        size: data.length,
        created: false,
      });
      assert.equal((await cas.backend.write(body(data), { maxBytes: MiB })).created, false);
      assert.ok((await readAll((await cas.backend.read(digest))?.stream as Readable)).equals(data));
      assert.deepEqual(cas.leftovers(), []);
    });

    test('bytes that do not hash to the given digest: DIGEST_MISMATCH and nothing kept', {
      timeout: 30_000,
    }, async () => {
      for (const size of [1000, 9 * MiB]) {
        const data = randomBytes(size);
        const claimed = sha256(`not these ${size} bytes`);
        await assert.rejects(cas.backend.write(body(data), { expectedDigest: claimed, maxBytes: 20 * MiB }), {
          code: 'DIGEST_MISMATCH',
        });
        assert.equal(await cas.backend.stat(claimed), undefined);
        assert.equal(await cas.backend.stat(sha256(data)), undefined);
        assert.deepEqual(cas.leftovers(), []);
      }
    });

    test('a blob past maxBytes: BLOB_TOO_LARGE and nothing kept, small or streamed in chunks', {
      timeout: 30_000,
    }, async () => {
      for (const [size, maxBytes] of [
        [2000, 1000],
        [12 * MiB, 10 * MiB],
      ]) {
        const data = randomBytes(size);
        for (const expectedDigest of [sha256(data), undefined]) {
          await assert.rejects(cas.backend.write(body(data), { expectedDigest, maxBytes }), { code: 'BLOB_TOO_LARGE' });
          assert.equal(await cas.backend.stat(sha256(data)), undefined);
          assert.deepEqual(cas.leftovers(), []);
        }
      }
    });

    test('a missing blob: stat and read answer undefined', { timeout: 30_000 }, async () => {
      const absent = sha256(randomBytes(32));
      assert.equal(await cas.backend.stat(absent), undefined);
      assert.equal(await cas.backend.read(absent), undefined);
    });

    test('a 20 MiB blob is streamed on while it arrives, never held whole, and reads back intact', {
      timeout: 120_000,
    }, async () => {
      const size = 20 * MiB + 12_345;
      const piece = 64 * 1024;
      const hash = createHash('sha256');
      const pattern = randomBytes(piece);
      let pulled = 0;
      let passedOnAt16MiB = -1;
      const source = Readable.from(
        (async function* () {
          for (let offset = 0; offset < size; offset += piece) {
            const chunk = Buffer.from(pattern.subarray(0, Math.min(piece, size - offset)));
            chunk.writeUInt32BE(offset, 0);
            hash.update(chunk);
            if (offset === 16 * MiB) {
              // Give the backend a moment to pass on what it has, then see how much already left the process.
              await new Promise((resolve) => setTimeout(resolve, 300));
              passedOnAt16MiB = cas.bytesInFlight();
            }
            pulled += chunk.length;
            yield chunk;
          }
        })(),
      );
      const written = await cas.backend.write(source, { maxBytes: 100 * MiB });
      const digest = `sha256:${hash.digest('hex')}`;
      assert.deepEqual(written, { digest, size, created: true });
      assert.equal(pulled, size);
      assert.ok(
        passedOnAt16MiB >= 8 * MiB,
        `with 16 MiB read from the body, ${passedOnAt16MiB} bytes had been passed on: the backend buffers instead of streaming`,
      );
      const read = await cas.backend.read(digest);
      assert.equal(read?.size, size);
      const back = createHash('sha256');
      for await (const chunk of read.stream) back.update(chunk as Buffer);
      assert.equal(`sha256:${back.digest('hex')}`, digest);
      assert.deepEqual(cas.leftovers(), []);
    });
  });
}
