import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createEnvelope,
  type InTotoStatement,
  loadSigningKey,
  preAuthEncoding,
  signStatement,
} from '@chainloop-ts/core/attestation';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
const VECTORS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'vectors');
const vector = (...parts: string[]) => join(VECTORS, 'envelopes', ...parts);
const scratch = mkdtempSync(join(tmpdir(), 'cli-verify-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function chainloop(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const result = spawnSync(process.execPath, [bundle, ...args], {
    cwd: scratch,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...options.env },
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertOneLineError(result: { status: number | null; stderr: string }, status: number, message: RegExp) {
  assert.equal(result.status, status, result.stderr);
  assert.match(result.stderr, /^ERR [^\n]+\n$/, `exactly one ERR line: ${result.stderr}`);
  assert.match(result.stderr, message);
}

const statement: InTotoStatement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [
    { name: 'chainloop.workflow.build-and-test', digest: { sha256: 'c'.repeat(64) } },
    { name: 'git.head', digest: { sha1: 'd'.repeat(40) } },
  ],
  predicateType: 'chainloop.dev/attestation/v0.2',
  predicate: { metadata: { workflowName: 'build-and-test' } },
};

before(() => assert.ok(existsSync(bundle), `${bundle} missing: run node build.mjs in packages/cli first`));

describe('round trip: keys generate → sign → attestation verify', () => {
  let bundleJson: string;

  before(async () => {
    const generated = chainloop(['keys', 'generate', '--output-prefix', 'release'], {
      env: { CHAINLOOP_SIGNING_PASSWORD: 's3cret' },
    });
    assert.equal(generated.status, 0, generated.stderr);
    const signer = await loadSigningKey(join(scratch, 'release.key'), { password: 's3cret' });
    const signed = await signStatement(statement, signer);
    bundleJson = signed.bundleJson;
    writeFileSync(join(scratch, 'attestation.sigstore.json'), signed.bundleJson);
    writeFileSync(join(scratch, 'attestation.dsse.json'), JSON.stringify(signed.envelope));
  });

  test('the bundle verifies with release.pub: subjects and predicate type as a table', () => {
    const result = chainloop(['attestation', 'verify', 'attestation.sigstore.json', '--key', 'release.pub']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'INF attestation verified: signed by public key\n');
    assert.match(result.stdout, /Predicate type\s+│ chainloop\.dev\/attestation\/v0\.2/);
    assert.match(result.stdout, /chainloop\.workflow\.build-and-test\s+│ sha256:c{64}/);
    assert.match(result.stdout, /git\.head\s+│ sha1:d{40}/);
  });

  test('the envelope verifies from stdin with -o json', () => {
    const result = chainloop(['att', 'verify', '-', '--key', 'release.pub', '-o', 'json'], {
      input: readFileSync(join(scratch, 'attestation.dsse.json'), 'utf8'),
    });
    assert.equal(result.status, 0, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.equal(output.verified, true);
    assert.equal(output.predicateType, 'chainloop.dev/attestation/v0.2');
    assert.deepEqual(output.subjects, statement.subject);
  });

  test('the public key can come from env://VAR', () => {
    const result = chainloop(['attestation', 'verify', 'attestation.sigstore.json', '--key', 'env://PUB'], {
      env: { PUB: readFileSync(join(scratch, 'release.pub'), 'utf8') },
    });
    assert.equal(result.status, 0, result.stderr);
  });

  test('one changed payload byte: exit 1 with a one-line reason', () => {
    const value = JSON.parse(bundleJson);
    const payload = Buffer.from(value.dsseEnvelope.payload, 'base64');
    payload[payload.indexOf('build-and-test')] = 'B'.charCodeAt(0);
    value.dsseEnvelope.payload = payload.toString('base64');
    writeFileSync(join(scratch, 'tampered.json'), JSON.stringify(value));
    const result = chainloop(['attestation', 'verify', 'tampered.json', '--key', 'release.pub']);
    assertOneLineError(result, 1, /attestation verification failed: the signature does not match/);
    assert.equal(result.stdout, '');
  });

  test('another key: exit 1', () => {
    const result = chainloop([
      'attestation',
      'verify',
      'attestation.sigstore.json',
      '--key',
      vector('generated', 'p256.pub'),
    ]);
    assertOneLineError(result, 1, /the signature does not match/);
  });
});

describe('attestation verify on the interop vectors', () => {
  test('cosign attest-blob envelope, and its blob as --artifact', () => {
    writeFileSync(join(scratch, 'blob'), 'some-payload');
    const args = ['attestation', 'verify', vector('cosign', 'dssePredicateMultipleSubjects.dsse.json')];
    const key = ['--key', vector('cosign', 'cosign-test.pub')];
    assert.equal(chainloop([...args, ...key, '--artifact', 'blob']).status, 0);
    const invalid = vector('cosign', 'dssePredicateMultipleSubjectsInvalid.dsse.json');
    assertOneLineError(
      chainloop(['attestation', 'verify', invalid, ...key, '--artifact', 'blob']),
      1,
      /blob \(sha256:658781cd[0-9a-f]+\) is not one of its subjects/,
    );
  });

  test('every --artifact must be a subject, not only the last one', () => {
    writeFileSync(join(scratch, 'blob'), 'some-payload');
    writeFileSync(join(scratch, 'stranger'), 'not attested');
    const args = ['attestation', 'verify', vector('cosign', 'dssePredicateMultipleSubjects.dsse.json')];
    const key = ['--key', vector('cosign', 'cosign-test.pub')];
    assert.equal(chainloop([...args, ...key, '--artifact', 'blob', '--artifact', 'blob']).status, 0);
    assertOneLineError(
      chainloop([...args, ...key, '--artifact', 'stranger', '--artifact', 'blob']),
      1,
      /stranger \(sha256:[0-9a-f]{64}\) is not one of its subjects/,
    );
  });

  test('Chainloop keyless envelope: --cert and --cert-chain, at signing time by default or --at', () => {
    const trust = ['--cert', vector('chainloop', 'cert.pem'), '--cert-chain', vector('chainloop', 'ca.pub')];
    const file = vector('chainloop', 'cert-attestation.dsse.json');
    const ok = chainloop(['attestation', 'verify', file, ...trust]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /signed by certificate "O=5e9013c7-a7f5-4b4d-8c4b-65fb0a78dd25" at 2024-06-18T16:38:48.000Z/,
    );
    assert.equal(chainloop(['attestation', 'verify', file, ...trust, '--at', '2024-06-18T16:45:00Z']).status, 0);
    assertOneLineError(
      chainloop(['attestation', 'verify', file, ...trust, '--at', '2024-06-18T17:00:00+00:00']),
      1,
      /is not valid at 2024-06-18T17:00:00.000Z/,
    );
  });

  test('Chainloop bundle carrying its leaf: --cert-chain alone', () => {
    const file = vector('chainloop', 'attestation-bundle.cert.sigstore.json');
    const result = chainloop(['attestation', 'verify', file, '--cert-chain', vector('chainloop', 'ca.pub')]);
    assert.equal(result.status, 0, result.stderr);
  });

  test('Chainloop statements with the protobuf names type / predicate_type (its controlplane testdata): verified and shown as _type / predicateType', {
    timeout: 60_000,
  }, async () => {
    // The stored signature verifies with no key we have: the exact payload bytes are signed again with a suite key.
    const signer = await loadSigningKey(join(VECTORS, 'keys', 'generated__p256_N65536.key'), {
      password: 'correct horse battery staple',
    });
    for (const name of ['with-git-subject', 'same-digest-than-git-subject']) {
      const original = JSON.parse(readFileSync(vector('chainloop', `${name}.proto-names.dsse.json`), 'utf8'));
      const payload = Buffer.from(original.payload, 'base64');
      assert.match(payload.toString('utf8'), /"predicate_type": "chainloop.dev\/attestation\/v0.2"/);
      const signature = await signer.sign(preAuthEncoding(original.payloadType, payload));
      const file = join(scratch, `${name}.dsse.json`);
      writeFileSync(file, JSON.stringify(createEnvelope(original.payloadType, payload, signature)));
      const key = ['--key', join(VECTORS, 'keys', 'generated__p256_N65536.pub')];
      const json = chainloop(['attestation', 'verify', file, ...key, '-o', 'json']);
      assert.equal(json.status, 0, json.stderr);
      const result = JSON.parse(json.stdout);
      assert.equal(result.statementType, 'https://in-toto.io/Statement/v1');
      assert.equal(result.predicateType, 'chainloop.dev/attestation/v0.2');
      assert.equal(result.subjects[0].name, 'chainloop.workflow.test-new-types');
      const table = chainloop(['attestation', 'verify', file, ...key]);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /Statement type +│? *https:\/\/in-toto.io\/Statement\/v1/);
    }
  });

  test('P-384 envelope verifies; tampered bundle fails', () => {
    assert.equal(
      chainloop([
        'attestation',
        'verify',
        vector('generated', 'envelope-p384.dsse.json'),
        '--key',
        vector('generated', 'p384.pub'),
      ]).status,
      0,
    );
    assertOneLineError(
      chainloop([
        'attestation',
        'verify',
        vector('generated', 'bundle-tampered.sigstore.json'),
        '--key',
        vector('generated', 'p256.pub'),
      ]),
      1,
      /signature does not match/,
    );
  });
});

describe('attestation verify usage and input errors', () => {
  test('no trust given: usage error, exit 2', () => {
    assertOneLineError(chainloop(['attestation', 'verify', 'x.json']), 2, /nothing to verify against: pass --key PUB/);
  });

  test('--key with --cert: usage error, exit 2', () => {
    assertOneLineError(
      chainloop(['attestation', 'verify', 'x.json', '--key', 'a', '--cert', 'b']),
      2,
      /cannot be combined/,
    );
  });

  test('--at that is not RFC 3339: usage error, exit 2', () => {
    assertOneLineError(
      chainloop(['attestation', 'verify', 'x.json', '--cert-chain', 'c', '--at', 'yesterday']),
      2,
      /--at "yesterday" is not an RFC 3339 time/,
    );
  });

  test('missing attestation file, missing key file, a private key as --key: exit 1', () => {
    assertOneLineError(
      chainloop(['attestation', 'verify', 'absent.json', '--key', vector('generated', 'p256.pub')]),
      1,
      /attestation absent.json: file not found/,
    );
    const file = vector('generated', 'envelope.dsse.json');
    assertOneLineError(
      chainloop(['attestation', 'verify', file, '--key', 'absent.pub']),
      1,
      /public key absent.pub: file not found/,
    );
    const privateKey = join(VECTORS, 'keys', 'generated__p256_N65536.key');
    assertOneLineError(
      chainloop(['attestation', 'verify', file, '--key', privateKey]),
      1,
      /is not a public key; that is a private key; pass the public key/,
    );
  });
});
