import '../hang-guard';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import {
  loadSigningKey,
  readKeyReference,
  readSigningPassword,
  resolveNewKeyPassword,
  resolveSigningPassword,
} from '../../src/attestation/index';
import { readVector, vectorPath } from './vectors';

const KEY_FILE = 'cosign__keys_test__pemsigstorekey'; // password "hello" (fixtures/vectors/README.md)
const LOADER = join(import.meta.dirname, 'fixtures', 'load-key-password-from-stdin.ts');

/**
 * Runs the loader fixture in its own process with `password` written to its stdin, a real pipe closed after it (what
 * `echo -n … | chainloop attestation push --key …` does); answers what the fixture printed.
 */
async function loadKeyWithPipedPassword(keyRef: string, password: string): Promise<Record<string, string>> {
  const env = { ...process.env };
  delete env.CHAINLOOP_SIGNING_PASSWORD;
  const child = spawn(process.execPath, ['--import', 'tsx', LOADER, keyRef], {
    cwd: join(import.meta.dirname, '..', '..'),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Only if stdin were never read to its end: the fixture would otherwise wait forever.
    timeout: 120_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  child.stdin.end(password);
  const [code, signal] = await once(child, 'exit');
  assert.equal(signal, null, `the loader did not finish: ${stderr}`);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

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

  test('each password says where it came from; nothing piped without a terminal is "none"', {
    timeout: 10_000,
  }, async () => {
    const piped = (text: string) => {
      const stdin = new PassThrough();
      stdin.end(text);
      return stdin;
    };
    assert.deepEqual(await readSigningPassword('k', { env: { CHAINLOOP_SIGNING_PASSWORD: '' }, stdin: piped('x') }), {
      password: '',
      source: 'env',
    });
    assert.deepEqual(await readSigningPassword('k', { env: {}, stdin: piped('pw') }), {
      password: 'pw',
      source: 'stdin',
    });
    assert.deepEqual(await readSigningPassword('k', { env: {}, stdin: piped('') }), { password: '', source: 'none' });
  });

  test('a new key refuses an empty password from any source unless allowed', { timeout: 10_000 }, async () => {
    const empty = () => {
      const stdin = new PassThrough();
      stdin.end('');
      return stdin;
    };
    await assert.rejects(resolveNewKeyPassword('ci.key', { env: {}, stdin: empty() }), {
      code: 'SIGNING_PASSWORD_MISSING',
      exitCode: 2,
      message:
        /^no password is set for the new key ci.key: set CHAINLOOP_SIGNING_PASSWORD or pipe the password on stdin/,
    });
    await assert.rejects(resolveNewKeyPassword('ci.key', { env: { CHAINLOOP_SIGNING_PASSWORD: '' }, stdin: empty() }), {
      code: 'SIGNING_PASSWORD_EMPTY',
      message: /^CHAINLOOP_SIGNING_PASSWORD is set but empty: .*--allow-empty-password/,
    });
    // Enter pressed twice at the prompt.
    const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
    const typed = resolveNewKeyPassword('tty.key', { env: {}, stdin: terminal, promptOutput: new PassThrough() });
    terminal.write('\r');
    setImmediate(() => terminal.write('\r'));
    await assert.rejects(typed, {
      code: 'SIGNING_PASSWORD_EMPTY',
      message: /^the password typed for tty.key is empty: type one, or pass --allow-empty-password/,
    });
    assert.equal(await resolveNewKeyPassword('ci.key', { env: {}, stdin: empty(), allowEmpty: true }), '');
    assert.equal(await resolveNewKeyPassword('ci.key', { env: { CHAINLOOP_SIGNING_PASSWORD: 'pw' } }), 'pw');
  });

  test('loadSigningKey with nothing piped and no terminal says the password is not set, not wrong', {
    timeout: 120_000,
  }, async () => {
    const keyRef = vectorPath('keys', `${KEY_FILE}.key`);
    assert.deepEqual(await loadKeyWithPipedPassword(keyRef, ''), {
      code: 'SIGNING_PASSWORD_MISSING',
      message: `signing key ${keyRef} is encrypted and no password is set: set CHAINLOOP_SIGNING_PASSWORD or pipe the password on stdin (no terminal to prompt on)`,
    });
  });

  test('loadSigningKey reads the password from stdin when the variable is unset', async () => {
    const keyRef = vectorPath('keys', `${KEY_FILE}.key`);
    const unlocked = await loadKeyWithPipedPassword(keyRef, 'hello');
    assert.deepEqual(unlocked, { publicKeyPem: readVector('keys', `${KEY_FILE}.derived.pub`) });
    const refused = await loadKeyWithPipedPassword(keyRef, 'hunter2');
    assert.deepEqual(refused, {
      code: 'SIGNING_KEY_WRONG_PASSWORD',
      message: `wrong password for signing key ${keyRef}`,
    });
  });
});
