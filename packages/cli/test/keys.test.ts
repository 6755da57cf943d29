import assert from 'node:assert/strict';
import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decryptCosignPrivateKey, parseCosignPrivateKeyPem } from '@chainloop-ts/core/attestation';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();
const VECTORS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'vectors');
const scratch = mkdtempSync(join(tmpdir(), 'cli-keys-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the bundled CLI in the scratch folder with a clean environment (no password unless given). */
function chainloop(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const spawnOptions: SpawnSyncOptions = {
    cwd: scratch,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...options.env },
    input: options.input ?? '',
    timeout: 60_000,
  };
  const result = spawnSync(process.execPath, [bundle, ...args], spawnOptions);
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function assertOneLineError(result: { status: number | null; stderr: string }, status: number, message: RegExp) {
  assert.equal(result.status, status, result.stderr);
  assert.match(result.stderr, /^ERR [^\n]+\n$/, `exactly one ERR line: ${result.stderr}`);
  assert.match(result.stderr, message);
}

before(() => assert.ok(existsSync(bundle), `${bundle} missing: run node build.mjs in packages/cli first`));

describe('chainloop keys generate', () => {
  test('writes cosign.key (0600, SIGSTORE label, N=65536) and cosign.pub; the key decrypts with the password', async () => {
    const result = chainloop(['keys', 'generate'], { env: { CHAINLOOP_SIGNING_PASSWORD: 'pw one' } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^INF private key written to cosign.key, public key to cosign.pub\n$/);
    assert.match(result.stdout, /Private key\s*│ cosign.key/);
    const keyPath = join(scratch, 'cosign.key');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    const keyPem = readFileSync(keyPath, 'utf8');
    assert.match(keyPem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    assert.equal(parseCosignPrivateKeyPem(keyPem, 'cosign.key').kdf.params.N, 65536);
    assert.match(readFileSync(join(scratch, 'cosign.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    assert.ok((await decryptCosignPrivateKey(keyPem, 'pw one', 'cosign.key')).length > 0);
    assert.doesNotMatch(result.stdout + result.stderr, /pw one/, 'the password is never printed');
  });

  test('refuses to overwrite without --force, leaving both files as they were', () => {
    const before = readFileSync(join(scratch, 'cosign.key'), 'utf8');
    const result = chainloop(['keys', 'generate'], { env: { CHAINLOOP_SIGNING_PASSWORD: 'x' } });
    assertOneLineError(result, 1, /^ERR cosign.key already exists; pass --force to overwrite it\n$/);
    assert.equal(readFileSync(join(scratch, 'cosign.key'), 'utf8'), before);
  });

  test('--force overwrites and keeps the key private even if the old file was world-readable', async () => {
    writeFileSync(join(scratch, 'old.key'), 'x', { mode: 0o644 });
    const result = chainloop(['keys', 'generate', '--output-prefix', 'old', '--force'], {
      env: { CHAINLOOP_SIGNING_PASSWORD: 'pw' },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(statSync(join(scratch, 'old.key')).mode & 0o777, 0o600);
    assert.ok(await decryptCosignPrivateKey(readFileSync(join(scratch, 'old.key'), 'utf8'), 'pw', 'old.key'));
  });

  test('--kdf-n 32768 (older cosign) with the password read from stdin, JSON output', async () => {
    const result = chainloop(['keys', 'generate', '--output-prefix', 'legacy', '--kdf-n', '32768', '-o', 'json'], {
      input: 'from stdin',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { privateKeyPath: 'legacy.key', publicKeyPath: 'legacy.pub' });
    const keyPem = readFileSync(join(scratch, 'legacy.key'), 'utf8');
    assert.equal(parseCosignPrivateKeyPem(keyPem, 'legacy.key').kdf.params.N, 32768);
    await decryptCosignPrivateKey(keyPem, 'from stdin', 'legacy.key');
  });

  test('on a real terminal the password is prompted for twice, without echo', { timeout: 60_000 }, async () => {
    // util-linux `script` gives the CLI a pseudo-terminal; we answer each prompt when it appears.
    const command = `${process.execPath} ${bundle} keys generate --output-prefix tty --kdf-n 32768`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: scratch, env: { PATH: process.env.PATH } });
    let output = '';
    let answered = 0;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const prompts = output.match(/Enter password/g)?.length ?? 0;
      if (prompts > answered) {
        answered = prompts;
        child.stdin.write('tty secret\r');
      }
    });
    // A CLI that never prompts would wait on the terminal for ever: end it, so the test fails instead of hanging.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const status = await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(stuck);
    assert.equal(status, 0, output);
    assert.match(output, /Enter password for tty.key: [\s\S]*Enter password again: /);
    assert.doesNotMatch(output, /tty secret/, 'the typed password is not echoed');
    await decryptCosignPrivateKey(readFileSync(join(scratch, 'tty.key'), 'utf8'), 'tty secret', 'tty.key');
  });

  test('no password set in a CI job (no variable, no terminal, nothing piped): refused, nothing written', {
    timeout: 60_000,
  }, () => {
    const result = chainloop(['keys', 'generate', '--output-prefix', 'ci']);
    assertOneLineError(
      result,
      2,
      /^ERR no password is set for the new key ci.key: set CHAINLOOP_SIGNING_PASSWORD or pipe the password on stdin \(no terminal to prompt on\), or pass --allow-empty-password to create ci.key with an empty password\n$/,
    );
    assert.equal(existsSync(join(scratch, 'ci.key')), false);
    assert.equal(existsSync(join(scratch, 'ci.pub')), false);
  });

  test('CHAINLOOP_SIGNING_PASSWORD set but empty (an undefined CI secret): refused, nothing written', {
    timeout: 60_000,
  }, () => {
    const result = chainloop(['keys', 'generate', '--output-prefix', 'blank'], {
      env: { CHAINLOOP_SIGNING_PASSWORD: '' },
    });
    assertOneLineError(
      result,
      2,
      /^ERR CHAINLOOP_SIGNING_PASSWORD is set but empty: set it to the password for the new key blank.key, or pass --allow-empty-password/,
    );
    assert.equal(existsSync(join(scratch, 'blank.key')), false);
  });

  test('--allow-empty-password writes a key with an empty password, which then loads with nothing set', {
    timeout: 60_000,
  }, async () => {
    const result = chainloop(['keys', 'generate', '--output-prefix', 'open', '--allow-empty-password']);
    assert.equal(result.status, 0, result.stderr);
    const keyPem = readFileSync(join(scratch, 'open.key'), 'utf8');
    assert.ok((await decryptCosignPrivateKey(keyPem, '', 'open.key')).length > 0);
    // As with cosign, nothing piped opens a key whose password is empty.
    const loaded = chainloop(['keys', 'public-key', '--key', 'open.key']);
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.equal(loaded.stdout, readFileSync(join(scratch, 'open.pub'), 'utf8'));
  });

  test('an unsupported --kdf-n is a usage error (exit 2)', () => {
    assertOneLineError(chainloop(['keys', 'generate', '--kdf-n', '1048576']), 2, /--kdf-n 1048576 is not supported/);
  });

  test('a missing output folder is a one-line error', () => {
    const result = chainloop(['keys', 'generate', '--output-prefix', 'nope/cosign'], {
      env: { CHAINLOOP_SIGNING_PASSWORD: 'pw' },
    });
    assertOneLineError(result, 1, /nope\/cosign.key: folder nope does not exist; create it first/);
  });
});

describe('chainloop keys public-key: loading a signing key from the CLI', () => {
  test('prints the public key of a vector key unlocked from env://VAR', () => {
    const result = chainloop(['keys', 'public-key', '--key', 'env://COSIGN_KEY'], {
      env: {
        COSIGN_KEY: readFileSync(join(VECTORS, 'keys', 'cosign__keys_test__pemcosignkey.key'), 'utf8'),
        CHAINLOOP_SIGNING_PASSWORD: 'hello',
      },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      readFileSync(join(VECTORS, 'keys', 'cosign__keys_test__pemcosignkey.derived.pub'), 'utf8'),
    );
  });

  const base = readFileSync(join(VECTORS, 'keys', 'cosign__keys_test__pemsigstorekey.key'), 'utf8');
  const editJson = (
    edit: (json: { kdf: { name: string; params: { N: number } }; cipher: { name: string } }) => void,
  ) => {
    const body = base.split('\n').slice(1, -2).join('');
    const json = JSON.parse(Buffer.from(body, 'base64').toString());
    edit(json);
    return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(json)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  };
  const badKeys: Array<[string, string, RegExp]> = [
    ['truncated', base.slice(0, 200), /PEM block "ENCRYPTED SIGSTORE PRIVATE KEY" is truncated/],
    [
      'wrong-label',
      base.replaceAll('ENCRYPTED SIGSTORE', 'OPENSSH'),
      /PEM label "OPENSSH PRIVATE KEY" is not a cosign key/,
    ],
    [
      'unknown-kdf',
      editJson((json) => {
        json.kdf.name = 'pbkdf2';
      }),
      /unsupported key derivation "pbkdf2"/,
    ],
    [
      'unknown-cipher',
      editJson((json) => {
        json.cipher.name = 'aes-gcm';
      }),
      /unsupported cipher "aes-gcm"/,
    ],
    [
      'huge-n',
      editJson((json) => {
        json.kdf.params.N = 2 ** 20;
      }),
      /unsupported scrypt parameters N=1048576 r=8 p=1/,
    ],
    ['empty', '', /is empty/],
    [
      'public',
      readFileSync(join(VECTORS, 'keys', 'cosign__keys_test__pemsigstorekey.derived.pub'), 'utf8'),
      /is a public key, not a private key/,
    ],
  ];
  for (const [name, content, message] of badKeys) {
    test(`${name} key file: one-line error naming the file, exit 1`, () => {
      writeFileSync(join(scratch, `${name}.key`), content);
      const result = chainloop(['keys', 'public-key', '--key', `${name}.key`], {
        env: { CHAINLOOP_SIGNING_PASSWORD: 'hello' },
      });
      assertOneLineError(result, 1, message);
      assert.match(result.stderr, new RegExp(`signing key ${name}\\.key`));
    });
  }

  test('SEC1 inside the box: one-line error, exit 1', () => {
    const ref = join(VECTORS, 'keys', 'cosign__keys_test__pemcosigneckey.NEGATIVE-sec1.key');
    const result = chainloop(['keys', 'public-key', '--key', ref], { env: { CHAINLOOP_SIGNING_PASSWORD: 'hello' } });
    assertOneLineError(result, 1, /SEC1 "EC PRIVATE KEY", not PKCS#8/);
  });

  test('wrong password (from stdin, no variable): one-line error naming the key, exit 1', () => {
    const ref = join(VECTORS, 'keys', 'cosign__keys_test__pemsigstorekey.key');
    const result = chainloop(['keys', 'public-key', '--key', ref], { input: 'hello\n' });
    assertOneLineError(result, 1, new RegExp(`^ERR wrong password for signing key ${ref}\\n$`));
    assert.doesNotMatch(result.stderr, /hello/);
  });

  test('no password in a CI job (no variable, no terminal, nothing piped): "no password is set", exit 2', {
    timeout: 60_000,
  }, () => {
    const ref = join(VECTORS, 'keys', 'cosign__keys_test__pemsigstorekey.key');
    const result = chainloop(['keys', 'public-key', '--key', ref]);
    assertOneLineError(
      result,
      2,
      new RegExp(
        `^ERR signing key ${ref} is encrypted and no password is set: set CHAINLOOP_SIGNING_PASSWORD or pipe the password on stdin \\(no terminal to prompt on\\)\\n$`,
      ),
    );
  });

  test('CHAINLOOP_SIGNING_PASSWORD set but empty for an encrypted key: wrong password, saying it is empty', {
    timeout: 60_000,
  }, () => {
    const ref = join(VECTORS, 'keys', 'cosign__keys_test__pemsigstorekey.key');
    const result = chainloop(['keys', 'public-key', '--key', ref], { env: { CHAINLOOP_SIGNING_PASSWORD: '' } });
    assertOneLineError(
      result,
      1,
      new RegExp(`^ERR wrong password for signing key ${ref}: CHAINLOOP_SIGNING_PASSWORD is set but empty; set it`),
    );
  });

  test('missing file: one-line error, exit 1', () => {
    assertOneLineError(
      chainloop(['keys', 'public-key', '--key', 'absent.key']),
      1,
      /signing key absent.key: file not found/,
    );
  });
});
