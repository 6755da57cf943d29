/**
 * What `npm run release` publishes: the three npm tarballs shaped as their users need them, the adapter trees, the
 * orb, CycloneDX SBOMs, SHA256SUMS, and the release's own attestation, which verifies and names every artifact's
 * digest; a one-byte change to any artifact fails both the checksum and the attestation's digest check.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliBundle, repoRoot } from '../support/paths';
import { makeRelease, type Release } from '../support/release';

/** Every file the release publishes as an artifact (a subject of its attestation). */
function artifactNames(version: string): string[] {
  return [
    `chainloop-ts-cli-${version}.tgz`,
    `chainloop-ts-control-plane-${version}.tgz`,
    `chainloop-ts-core-${version}.tgz`,
    `chainloop-ts-gitlab-component-${version}.tar.gz`,
    `chainloop-ts-jenkins-library-${version}.tar.gz`,
    `chainloop-ts-github-action-${version}.tar.gz`,
    'orb.yml',
    'chainloop.cjs',
  ];
}

function tarList(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

function tarFile(tarball: string, path: string): string {
  return execFileSync('tar', ['-xzOf', tarball, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('npm run release', { timeout: 600_000 }, () => {
  let release: Release;
  const scratch = mkdtempSync(join(tmpdir(), 'release-artifacts-'));
  before(() => {
    release = makeRelease();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('the CLI tarball is the single-file bundle with no runtime dependencies', () => {
    const tarball = release.file(`chainloop-ts-cli-${release.version}.tgz`);
    assert.equal(basename(tarball), `chainloop-ts-cli-${release.version}.tgz`);
    assert.deepEqual(tarList(tarball), ['package/README.md', 'package/chainloop.cjs', 'package/package.json']);
    const manifest = JSON.parse(tarFile(tarball, 'package/package.json'));
    assert.equal(manifest.version, release.version);
    assert.deepEqual(manifest.bin, { chainloop: 'chainloop.cjs' });
    assert.equal(manifest.dependencies, undefined);
    assert.equal(tarFile(tarball, 'package/chainloop.cjs'), readFileSync(cliBundle, 'utf8'));
  });

  test('the control-plane tarball carries its bin, worker, web UI and the CLI it serves; only external modules are dependencies', () => {
    const tarball = release.file(`chainloop-ts-control-plane-${release.version}.tgz`);
    const files = tarList(tarball);
    const expected = ['dist/bin.cjs', 'dist/index.cjs', 'dist/inspection-worker.cjs', 'dist/chainloop.cjs'];
    // The web UI it serves at / and /ui/.
    expected.push('dist/ui/index.html', 'dist/ui/app.js', 'dist/ui/app.css');
    for (const file of expected) {
      assert.ok(files.includes(`package/${file}`), `${file} in ${files.join(', ')}`);
    }
    const manifest = JSON.parse(tarFile(tarball, 'package/package.json'));
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['better-sqlite3', 'piscina']);
    assert.equal(manifest.bin['chainloop-control-plane'], 'dist/bin.cjs');
    assert.equal(tarFile(tarball, 'package/dist/chainloop.cjs'), readFileSync(cliBundle, 'utf8'));
  });

  test('the core tarball is a library: ES modules, types and an exports map for every concept', () => {
    const tarball = release.file(`chainloop-ts-core-${release.version}.tgz`);
    const manifest = JSON.parse(tarFile(tarball, 'package/package.json'));
    const files = tarList(tarball);
    for (const subpath of ['attestation', 'client', 'contract', 'crafter', 'materials', 'runners']) {
      const entry = manifest.exports[`./${subpath}`];
      assert.ok(entry, `exports ./${subpath}`);
      assert.ok(files.includes(`package/${entry.default.slice(2)}`), entry.default);
      assert.ok(files.includes(`package/${entry.types.slice(2)}`), entry.types);
    }
    assert.ok(
      files.every((file) => !file.includes('/src/') && !file.endsWith('.test.js')),
      'no sources or tests',
    );
    assert.ok(manifest.dependencies.yaml, 'dependencies stay dependencies');
  });

  test('the adapter trees hold what their users consume, the orb is packed, the SBOMs are CycloneDX of each package', () => {
    const gitlab = tarList(release.file('chainloop-ts-gitlab-component-'));
    for (const file of ['templates/attest-job.yml', 'templates/attest-pipeline.yml', 'README.md', '.gitlab-ci.yml']) {
      assert.ok(gitlab.includes(`gitlab-component/${file}`), file);
    }
    assert.ok(
      gitlab.every((file) => !file.includes('/test/')),
      'no tests in the catalog project',
    );
    const jenkins = release.file('chainloop-ts-jenkins-library-');
    assert.equal(
      tarFile(jenkins, 'jenkins-library/resources/dev/chainloop/jenkins/chainloop.cjs'),
      readFileSync(cliBundle, 'utf8'),
    );
    assert.ok(tarList(jenkins).includes('jenkins-library/vars/chainloopAttestation.groovy'));
    const action = tarList(release.file('chainloop-ts-github-action-'));
    for (const file of ['action.yml', 'dist/main.js', 'dist/post.js', 'dist/chainloop.cjs']) {
      assert.ok(action.includes(`github-action/${file}`), file);
    }
    assert.match(readFileSync(release.file('orb.yml'), 'utf8'), /^\s*install:/m);
    for (const name of ['cli', 'control-plane', 'core']) {
      const bom = JSON.parse(readFileSync(release.file(`chainloop-ts-${name}-${release.version}.cdx.json`), 'utf8'));
      assert.equal(bom.bomFormat, 'CycloneDX');
      assert.equal(bom.metadata.component.name, `@chainloop-ts/${name}`);
      assert.equal(bom.metadata.component.version, release.version);
      assert.ok(bom.components.length > 0, `${name} SBOM lists components`);
    }
  });

  test('the tree archives are reproducible: the same tree gives the same bytes', () => {
    const again = join(scratch, 'again');
    execFileSync(process.execPath, [
      '--import',
      'tsx',
      '-e',
      `
      import('${join(import.meta.dirname, '..', '..', 'scripts', 'release', 'adapter-trees.ts')}')
        .then((m) => m.buildAdapterTrees('${join(again, 'trees')}', '${again}', '${release.version}'));
    `,
    ]);
    for (const prefix of [
      'chainloop-ts-gitlab-component-',
      'chainloop-ts-jenkins-library-',
      'chainloop-ts-github-action-',
    ]) {
      const name = basename(release.file(prefix));
      assert.equal(sha256(join(again, name)), sha256(release.file(prefix)), name);
    }
  });

  test('sha256sum -c SHA256SUMS passes and covers every artifact and SBOM', () => {
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: release.dir, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const listed = readFileSync(join(release.dir, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.slice(66));
    for (const name of artifactNames(release.version)) assert.ok(listed.includes(name), `${name} in SHA256SUMS`);
    assert.equal(listed.filter((name) => name.endsWith('.cdx.json')).length, 3);
  });

  test('the release attestation verifies with the release key and names every artifact by its digest', () => {
    const bundle = join(release.dir, 'attestation.sigstore.json');
    const artifacts = artifactNames(release.version).map((name) => release.file(name));
    const verify = spawnSync(
      process.execPath,
      [
        cliBundle,
        'attestation',
        'verify',
        bundle,
        '--key',
        release.publicKey,
        '-o',
        'json',
        ...artifacts.flatMap((file) => ['--artifact', file]),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(verify.status, 0, verify.stderr);
    const answer = JSON.parse(verify.stdout);
    assert.equal(answer.verified, true);
    const subjects = new Map<string, string>(
      answer.subjects.map((subject: { name: string; digest: { sha256: string } }) => [
        subject.name,
        subject.digest.sha256,
      ]),
    );
    for (const file of artifacts) assert.equal(subjects.get(basename(file)), sha256(file), basename(file));
    // The SBOMs and the git revision are materials of the predicate.
    const envelope = JSON.parse(readFileSync(bundle, 'utf8')).dsseEnvelope;
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    const materials = JSON.stringify(statement.predicate.materials);
    for (const name of ['sbom-cli', 'sbom-control-plane', 'sbom-core', 'git-revision']) {
      assert.ok(materials.includes(`"${name}"`), `${name} is a material`);
    }
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const revision = statement.predicate.materials.find(
      (material: { annotations: Record<string, string> }) =>
        material.annotations['chainloop.material.name'] === 'git-revision',
    );
    assert.match(Buffer.from(revision.content, 'base64').toString('utf8'), new RegExp(`^${head}(-dirty)?$`));
  });

  test('a one-byte change to any artifact fails sha256sum -c and the attestation digest check', () => {
    for (const prefix of artifactNames(release.version)) {
      const original = release.file(prefix);
      const copy = join(scratch, 'tampered');
      rmSync(copy, { recursive: true, force: true });
      execFileSync('cp', ['-r', release.dir, copy]);
      const tampered = join(copy, basename(original));
      const bytes = readFileSync(tampered);
      bytes[bytes.length >> 1] ^= 0x01;
      writeFileSync(tampered, bytes);
      const check = spawnSync('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], { cwd: copy, encoding: 'utf8' });
      assert.notEqual(check.status, 0, `${prefix}: sha256sum -c still passes`);
      assert.match(check.stdout, new RegExp(`${basename(original).replace(/\./g, '\\.')}: FAILED`));
      const verify = spawnSync(
        process.execPath,
        [
          cliBundle,
          'attestation',
          'verify',
          join(copy, 'attestation.sigstore.json'),
          '--key',
          release.publicKey,
          '--artifact',
          tampered,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(verify.status, 1, `${prefix}: verify --artifact accepted the changed file`);
      assert.match(verify.stderr, /^ERR .*(subject|digest)/m);
    }
  });
});
