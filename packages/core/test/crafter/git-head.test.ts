/**
 * The `git.head` subject as Chainloop records it (go-git in crafter.go gracefulGitRepoHead, rendered by
 * renderer/chainloop): the AUTHOR date in UTC, the raw commit message, the armored signature of a signed commit and
 * the remotes without credentials. Every repository here is a real one made with the git CLI.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readGitHead } from '../../src/crafter/git-head';
import { renderStatement } from '../../src/crafter/render';
import { seedState } from './state-fixture';

const root = mkdtempSync(join(tmpdir(), 'git-head-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** No user or system git configuration leaks in (signing defaults, insteadOf rewrites, …). */
const gitEnv = {
  ...process.env,
  HOME: root,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GNUPGHOME: join(root, 'gnupg'),
};

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', ['-c', 'user.name=Sarah Connor', '-c', 'user.email=sarah@cyberdyne.example', ...args], {
    cwd,
    env: { ...gitEnv, ...env },
    encoding: 'utf8',
  });
}

function repository(name: string): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'README'), 'skynet\n');
  git(dir, ['add', 'README']);
  return dir;
}

const MESSAGE =
  'Release 1.2.0\n\nShips the T-800 firmware.\n  indented line kept\n\nSigned-off-by: Sarah Connor <sarah@cyberdyne.example>\n';

/** Author and committer at different times and offsets: the author date, in UTC, is the one recorded. */
const DATES = { GIT_AUTHOR_DATE: '2024-03-01T23:30:00+05:30', GIT_COMMITTER_DATE: '2024-03-09T08:00:00-07:00' };

describe('git.head', { timeout: 60_000 }, () => {
  test('author date in UTC, the full message, remotes without credentials', { timeout: 30_000 }, async () => {
    const dir = repository('plain');
    writeFileSync(join(dir, 'message.txt'), MESSAGE);
    git(dir, ['commit', '-q', '--cleanup=verbatim', '-F', 'message.txt'], DATES);
    git(dir, ['remote', 'add', 'origin', 'https://robot:ghp_s3cr3tT0ken@github.com/cyberdyne/skynet.git']);
    git(dir, ['remote', 'add', 'mirror', 'ssh://deploy@git.cyberdyne.example:2222/skynet.git']);
    git(dir, ['remote', 'add', 'upstream', 'git@github.com:cyberdyne/skynet.git']);

    const head = await readGitHead(dir);
    assert.ok(head, 'a repository with a commit has a head');
    assert.equal(head.hash, git(dir, ['rev-parse', 'HEAD']).trim());
    assert.equal(head.authorName, 'Sarah Connor');
    assert.equal(head.authorEmail, 'sarah@cyberdyne.example');
    // 23:30 at +05:30 is 18:00 UTC; the committer date (2024-03-09) is not the one recorded.
    assert.equal(head.date, '2024-03-01T18:00:00Z');
    assert.equal(head.message, MESSAGE, 'every line of the message, trailing newline included');
    assert.equal(head.signature, undefined, 'an unsigned commit has no signature');
    assert.deepEqual(head.remotes, [
      { name: 'mirror', url: 'ssh://git.cyberdyne.example:2222/skynet.git' },
      { name: 'origin', url: 'https://github.com/cyberdyne/skynet.git' },
      { name: 'upstream', url: 'git@github.com:cyberdyne/skynet.git' },
    ]);
    assert.doesNotMatch(JSON.stringify(head), /ghp_s3cr3tT0ken|robot@|deploy@/);

    const statement = renderStatement(seedState({ head }), { finishedAt: new Date(), annotations: {} });
    const subject = statement.subject.find((s) => s.name === 'git.head');
    assert.deepEqual(subject, {
      name: 'git.head',
      digest: { sha1: head.hash },
      annotations: {
        'author.email': 'sarah@cyberdyne.example',
        'author.name': 'Sarah Connor',
        date: '2024-03-01T18:00:00Z',
        message: MESSAGE,
        remotes: head.remotes,
      },
    });
  });

  test('an SSH-signed commit: the armored signature, which verifies over the commit', { timeout: 30_000 }, async () => {
    const dir = repository('ssh-signed');
    const key = join(dir, '..', 'ssh-signing-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sarah', '-f', key], { env: gitEnv });
    git(dir, ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', 'signed'], DATES);

    const head = await readGitHead(dir);
    assert.ok(head?.signature, 'a signed commit records its signature');
    assert.match(head.signature, /^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+\n-----END SSH SIGNATURE-----\n$/);
    assert.equal(head.message, 'signed\n');

    // The recorded text is the signature itself: it verifies with the key over the commit without its gpgsig header.
    const raw = git(dir, ['cat-file', 'commit', 'HEAD']);
    const payload = raw.replace(/^gpgsig .*\n(?: .*\n)*/m, '');
    assert.notEqual(payload, raw);
    const sigFile = join(dir, '..', 'commit.sig');
    writeFileSync(sigFile, head.signature);
    execFileSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'git', '-s', sigFile], {
      input: payload,
      env: gitEnv,
      stdio: ['pipe', 'ignore', 'pipe'],
    });

    const statement = renderStatement(seedState({ head }), { finishedAt: new Date(), annotations: {} });
    const subject = statement.subject.find((s) => s.name === 'git.head');
    assert.equal(subject?.annotations?.signature, head.signature);
  });

  test('a GPG-signed commit: the armored PGP signature, blank armor line included', { timeout: 30_000 }, async () => {
    const dir = repository('gpg-signed');
    execFileSync('mkdir', ['-m', '700', '-p', gitEnv.GNUPGHOME]);
    execFileSync(
      'gpg',
      [
        '--batch',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Sarah Connor <sarah@cyberdyne.example>',
        'ed25519',
        'sign',
        'never',
      ],
      { env: gitEnv, stdio: 'ignore' },
    );
    git(dir, ['-c', 'user.signingkey=sarah@cyberdyne.example', 'commit', '-q', '-S', '-m', 'gpg signed'], DATES);

    const head = await readGitHead(dir);
    assert.ok(head?.signature);
    // Chainloop's stored example (controlplane testdata bundle-empty.json) reads "-----BEGIN PGP SIGNATURE-----\n\n…".
    assert.match(head.signature, /^-----BEGIN PGP SIGNATURE-----\n\n[A-Za-z0-9+/=\n]+-----END PGP SIGNATURE-----\n$/);
    const sigFile = join(dir, '..', 'commit.asc');
    writeFileSync(sigFile, head.signature);
    const payloadFile = join(dir, '..', 'commit.payload');
    writeFileSync(payloadFile, git(dir, ['cat-file', 'commit', 'HEAD']).replace(/^gpgsig .*\n(?: .*\n)*/m, ''));
    execFileSync('gpg', ['--batch', '--verify', sigFile, payloadFile], { env: gitEnv, stdio: 'ignore' });
  });

  test('no repository, or a repository without commits: no head', { timeout: 30_000 }, async () => {
    assert.equal(await readGitHead(mkdtempSync(join(root, 'not-a-repo-'))), undefined);
    assert.equal(await readGitHead(repository('empty')), undefined);
  });
});
