// npm run release -- --key cosign.key [--out release] [--no-build]
// Writes everything a maintainer publishes into release/ (git-ignored) from the one version set, and attests it
// with the CLI being released. The key's password comes from CHAINLOOP_SIGNING_PASSWORD.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { buildAdapterTrees, packOrb } from './adapter-trees';
import { writeChecksums } from './checksums';
import { packNpmPackages } from './npm-packages';
import { writeSbom } from './sboms';
import { attestRelease, type ReleaseMaterial } from './self-attestation';
import { releaseVersion, repoRoot, VersionSetError } from './version-set';

const USAGE = 'usage: npm run release -- --key <cosign.key | env://VAR> [--out <dir>] [--no-build]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      key: { type: 'string' },
      out: { type: 'string', default: join(repoRoot, 'release') },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!values.key) {
    console.error(
      `ERR release: no signing key: the release attests itself, pass --key cosign.key (password in CHAINLOOP_SIGNING_PASSWORD; make one with chainloop keys generate)\n${USAGE}`,
    );
    return 2;
  }
  const key = values.key.startsWith('env://') ? values.key : resolve(values.key);
  const keyRefused = await checkSigningKey(key);
  if (keyRefused !== undefined) return keyRefused;
  const version = releaseVersion();
  const out = resolve(values.out);
  const step = (what: string) => console.error(`==> ${what}`);

  if (!values['no-build']) {
    step('building every package (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const stage = join(out, '.stage');

  step(`release ${version} into ${out}`);
  const cliBundle = join(out, 'chainloop.cjs');
  copyFileSync(join(repoRoot, 'packages', 'cli', 'dist', 'chainloop.cjs'), cliBundle);
  const packages = await packNpmPackages(join(stage, 'npm'), out, version);
  const trees = await buildAdapterTrees(join(out, 'trees'), out, version);
  const orb = await packOrb(out);
  const sboms = packages.map((pkg) => ({ pkg, file: writeSbom(pkg.name, version, out) }));
  rmSync(stage, { recursive: true, force: true });

  const shortName = (name: string) => name.replace('@chainloop-ts/', '');
  const materials: ReleaseMaterial[] = [
    ...packages.map((pkg) => ({ name: `npm-${shortName(pkg.name)}`, file: pkg.tarball, kind: 'ARTIFACT' as const })),
    ...trees.map((tree) => ({ name: tree.name, file: tree.archive, kind: 'ARTIFACT' as const })),
    { name: 'circleci-orb', file: orb, kind: 'ARTIFACT' },
    { name: 'cli-bundle', file: cliBundle, kind: 'ARTIFACT' },
    ...sboms.map(({ pkg, file }) => ({
      name: `sbom-${shortName(pkg.name)}`,
      file,
      kind: 'SBOM_CYCLONEDX_JSON' as const,
    })),
  ];
  const checksums = writeChecksums(
    out,
    materials.map((material) => material.file),
  );

  step('attesting the release with its own CLI and control plane');
  const bundlePath = join(out, 'attestation.sigstore.json');
  const publicKey = join(out, 'release.pub');
  await attestRelease({
    cli: cliBundle,
    controlPlaneBin: join(repoRoot, 'packages', 'control-plane', 'dist', 'bin.cjs'),
    materials,
    gitRevision: gitRevision(),
    key,
    bundlePath,
    contractPath: join(out, 'release-contract.yaml'),
  });
  writeFileSync(
    publicKey,
    execFileSync(process.execPath, [cliBundle, 'keys', 'public-key', '--key', key], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );

  step('verifying the attestation against every artifact');
  const artifacts = materials.filter((material) => material.kind === 'ARTIFACT');
  execFileSync(
    process.execPath,
    [
      cliBundle,
      'attestation',
      'verify',
      bundlePath,
      '--key',
      publicKey,
      ...artifacts.flatMap((a) => ['--artifact', a.file]),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  execFileSync('sha256sum', ['--quiet', '-c', basename(checksums)], { cwd: out, stdio: 'inherit' });
  console.log(
    `release ${version}: ${materials.length} files, SHA256SUMS, ${basename(bundlePath)} (verify with release.pub) in ${out}`,
  );
  return 0;
}

/**
 * The signing key is loaded first, as the CLI's push will load it (the same core code and password sources, never a
 * prompt: the push reads no terminal either): a wrong path, a non-cosign file or a wrong password is the one ERR line
 * the CLI prints for it, before anything is built or written. Answers the exit code when the key is refused.
 */
async function checkSigningKey(key: string): Promise<number | undefined> {
  const [{ isChainloopError }, { loadSigningKey }] = await Promise.all([
    import('@chainloop-ts/core'),
    import('@chainloop-ts/core/attestation'),
  ]);
  try {
    await loadSigningKey(key, { stdin: Readable.from([]) });
    return undefined;
  } catch (error) {
    if (!isChainloopError(error)) throw error;
    console.error(`ERR ${error.message}`);
    return error.exitCode;
  }
}

/**
 * A command run with its stderr shown (the CLI, the build, sha256sum) that failed has said why on its own: its exit
 * status is the release's, with no second `Command failed …` line.
 */
function reportedByChild(error: unknown): error is { status: number } {
  const child = error as { status?: unknown; stderr?: unknown };
  return typeof child.status === 'number' && child.status !== 0 && child.stderr === null;
}

function gitRevision(): string {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  return dirty ? `${head}-dirty` : head;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (reportedByChild(error)) {
      process.exitCode = error.status;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof VersionSetError ? `ERR release: ${message}` : `ERR release failed: ${message}`);
    process.exitCode = 1;
  },
);
