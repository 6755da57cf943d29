import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateEphemeralSigner } from '@chainloop-ts/core/attestation';
import {
  controlPlaneBin,
  makeTempDir,
  removeDir,
  startControlPlaneProcess,
  startControlPlaneProcesses,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the CA is created on first start (key 0600), kept across restarts, and shared by processes on one data dir', async () => {
  const dataDir = makeTempDir('cp-ca-');
  try {
    const [left, right] = await startControlPlaneProcesses({ dataDir }, { dataDir });
    const certPath = join(dataDir, 'signing-ca', 'ca.pem');
    const keyPath = join(dataDir, 'signing-ca', 'ca.key');
    let first: string;
    try {
      first = (await left.admin().getSigningCa()).certificatePem;
      assert.equal((await right.admin().getSigningCa()).certificatePem, first, 'both processes serve one CA');
      assert.equal(statSync(keyPath).mode & 0o777, 0o600);
      assert.equal(readFileSync(certPath, 'utf8'), first);
      const logs = left.logs() + right.logs();
      assert.match(logs, new RegExp(`keyless signing CA: generated into ${escapeRegExp(certPath)}`));
      assert.match(
        logs,
        new RegExp(`keyless signing CA: read from ${escapeRegExp(certPath)}`),
        'the other process reuses it',
      );
      assert.doesNotMatch(logs, /PRIVATE KEY/);
      assert.deepEqual(
        readdirSync(dataDir).filter((name) => name.includes('signing-ca')),
        ['signing-ca'],
        'no half-written CA is left behind',
      );
    } finally {
      await Promise.all([left.stop(), right.stop()]);
    }

    const restarted = await startControlPlaneProcess({ dataDir });
    try {
      assert.equal((await restarted.admin().getSigningCa()).certificatePem, first);
      const crafting = await workflowWithRobot(restarted, 'after-restart');
      const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
      const { chainPem } = await crafting.robot.requestSigningCertificate(
        run.id,
        (await generateEphemeralSigner()).csrPem,
      );
      assert.ok(new X509Certificate(chainPem[0]).verify(new X509Certificate(first).publicKey));
    } finally {
      await restarted.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});

test('--ca-cert/--ca-key: an existing CA (made with openssl) issues the certificates; its chain is served', async () => {
  const dir = makeTempDir('cp-ca-files-');
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key');
    openssl(
      ...['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Test Root', '-days', '2', '-out', 'root.pem'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    );
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'issuing.key');
    openssl('req', '-new', '-key', 'issuing.key', '-subj', '/CN=Test Issuing CA', '-out', 'issuing.csr');
    writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n');
    openssl(
      ...['x509', '-req', '-in', 'issuing.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial'],
      ...['-days', '1', '-extfile', 'ext.cnf', '-out', 'issuing.pem'],
    );
    // The issuing CA first, then its root: the chain the leaves are served with.
    writeFileSync(
      join(dir, 'chain.pem'),
      readFileSync(join(dir, 'issuing.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'),
    );
    const args = ['--ca-cert', join(dir, 'chain.pem'), '--ca-key', join(dir, 'issuing.key')];
    const server = await startControlPlaneProcess({ args });
    try {
      const crafting = await workflowWithRobot(server, 'own-ca');
      const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
      const { chainPem } = await crafting.robot.requestSigningCertificate(
        run.id,
        (await generateEphemeralSigner()).csrPem,
      );
      const [leaf, issuing, root] = chainPem.map((pem) => new X509Certificate(pem));
      assert.equal(chainPem.length, 3);
      assert.equal(issuing.subject, 'CN=Test Issuing CA');
      assert.equal(root.subject, 'CN=Test Root');
      assert.ok(leaf.verify(issuing.publicKey));
      // openssl agrees that the leaf chains to the root through the issuing CA.
      writeFileSync(join(dir, 'leaf.pem'), chainPem[0]);
      const verified = execFileSync(
        'openssl',
        ['verify', '-purpose', 'any', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'leaf.pem'],
        { cwd: dir, encoding: 'utf8' },
      );
      assert.match(verified, /leaf\.pem: OK/);
      assert.equal((await server.admin().getSigningCa()).certificatePem, chainPem.slice(1).join(''));
      assert.match(server.logs(), new RegExp(`keyless signing CA: read from ${escapeRegExp(join(dir, 'chain.pem'))}`));
      assert.throws(() => statSync(join(server.dataDir, 'signing-ca')), /ENOENT/, 'no CA is generated');
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }

    // Misconfigurations stop the start with one line naming the file and the fix.
    for (const [flags, message] of [
      [
        ['--ca-cert', join(dir, 'chain.pem')],
        /^ERR signing CA: --ca-key is missing; pass both --ca-cert FILE and --ca-key FILE/m,
      ],
      [
        ['--ca-cert', join(dir, 'chain.pem'), '--ca-key', join(dir, 'root.key')],
        /^ERR signing CA key .*root\.key does not belong to the certificate .*chain\.pem: pass the matching pair$/m,
      ],
      [
        ['--ca-cert', join(dir, 'leaf.pem'), '--ca-key', join(dir, 'issuing.key')],
        /^ERR signing CA certificate .*leaf\.pem is not a CA certificate/m,
      ],
      [
        ['--ca-cert', join(dir, 'nope.pem'), '--ca-key', join(dir, 'issuing.key')],
        /^ERR signing CA certificate .*nope\.pem not found: check --ca-cert$/m,
      ],
    ] as const) {
      const dataDir = makeTempDir('cp-ca-bad-');
      try {
        const result = spawnBin(['start', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...flags]);
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, message);
      } finally {
        removeDir(dataDir);
      }
    }
  } finally {
    removeDir(dir);
  }
});

function spawnBin(args: string[]) {
  return spawnSync(process.execPath, [controlPlaneBin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, CHAINLOOP_CP_ADMIN_TOKEN: 'cl_admin_ca-misconfiguration-test' },
    timeout: 20_000,
  });
}
