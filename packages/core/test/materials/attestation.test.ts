import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const ENVELOPES = join(VECTORS, '..', 'envelopes');
const attestation = materialKind('ATTESTATION');
const inspect = (value: string, cwd: string) => attestation.inspect({ name: 'upstream', value, cwd });

describe('ATTESTATION', () => {
  it('accepts Chainloop DSSE envelopes and Sigstore bundles (certificate, double-encoded legacy signature)', async () => {
    for (const file of ['attestation-dsse.json', 'attestation-bundle.json']) {
      const inspected = await inspect(file, VECTORS);
      assert.equal(inspected.shape === 'file' && inspected.fileName, file);
    }
    for (const file of [
      'cosign-attestation.dsse.json',
      'attestation-bundle.cert.sigstore.json',
      'bundle.double-b64-sig.sigstore.json',
      // Statements with the protobuf names `type` / `predicate_type`, which Chainloop (protojson) reads.
      'with-git-subject.proto-names.dsse.json',
      'same-digest-than-git-subject.proto-names.dsse.json',
    ]) {
      const inspected = await inspect(file, join(ENVELOPES, 'chainloop'));
      assert.equal(inspected.shape === 'file' && inspected.fileName, file);
    }
  });

  it('refuses a signed envelope whose payload is not a statement', async () => {
    await assert.rejects(inspect('attestation-invalid-intoto.json', VECTORS), {
      code: 'MATERIAL_INVALID',
      message:
        'material "upstream": file attestation-invalid-intoto.json is not a valid ATTESTATION: the payload is not an in-toto statement (the payload is not JSON)',
    });
  });

  it('refuses attestations of another predicate type (cosign SLSA provenance)', async () => {
    for (const file of [
      'blobSLSAProvenanceSignature.dsse.json',
      'blobSLSAProvenance.constructed-like-cosign-test.bundle.json',
    ]) {
      await assert.rejects(inspect(file, join(ENVELOPES, 'cosign')), {
        message:
          /predicateType is "https:\/\/slsa\.dev\/provenance\/v0\.2", expected chainloop\.dev\/attestation\/v0\.2$/,
      });
    }
  });

  it('refuses an unsigned envelope, another payload type and a statement without subjects', async () => {
    const { dir, write } = fixtureDir();
    const envelope = JSON.parse(readFileSync(join(VECTORS, 'attestation-dsse.json'), 'utf8'));
    write('unsigned.json', JSON.stringify({ ...envelope, signatures: [] }));
    write('other-type.json', JSON.stringify({ ...envelope, payloadType: 'text/plain' }));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    const noSubject = Buffer.from(JSON.stringify({ ...statement, subject: [] })).toString('base64');
    write('no-subject.json', JSON.stringify({ ...envelope, payload: noSubject }));
    await assert.rejects(inspect('unsigned.json', dir), {
      message: /neither a DSSE envelope nor a Sigstore bundle \(.*unsigned/,
    });
    await assert.rejects(inspect('other-type.json', dir), {
      message: /payloadType is "text\/plain", expected application\/vnd\.in-toto\+json$/,
    });
    await assert.rejects(inspect('no-subject.json', dir), { message: /not an in-toto statement \(.*no subject/ });
  });
});
