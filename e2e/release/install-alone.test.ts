/**
 * Each npm package of the release on its own, as a user installs it (fresh HOME and prefix, dependencies from the
 * registry): the CLI alone says in one line how to get the control plane; the control plane alone runs from its
 * own bin and serves its CLI; core alone is a typed library that scripts import by subpath.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installRelease, listeningUrl, nodeRuntime } from '../support/outside-install';
import { repoRoot, vectors } from '../support/paths';
import { makeRelease } from '../support/release';

const node20 = () => nodeRuntime(20);

test('only the CLI installed: control-plane start answers with one line saying how to get it', {
  timeout: 300_000,
}, () => {
  const user = installRelease(makeRelease(), node20(), ['cli']);
  const result = user.run('chainloop', ['control-plane', 'start', '--data-dir', 'cp']);
  assert.equal(result.status, 1);
  assert.equal(
    result.stderr,
    'ERR control-plane start: the control plane is not installed next to this CLI: run npm install -g @chainloop-ts/control-plane (then chainloop control-plane start again), or npx @chainloop-ts/control-plane start\n',
  );
  assert.equal(user.run('ls', ['cp']).status, 2, 'nothing is created');
});

test('only the control plane installed: its own bin starts it and it serves the CLI of its release', {
  timeout: 400_000,
}, async () => {
  const release = makeRelease();
  const user = installRelease(release, node20(), ['control-plane']);
  assert.notEqual(user.run('sh', ['-c', 'command -v chainloop']).status, 0, 'no chainloop command installed');
  const server = user.start('chainloop-control-plane', ['start', '--listen', '127.0.0.1:0', '--data-dir', 'cp']);
  try {
    const url = await listeningUrl(server);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const served = Buffer.from(await (await fetch(`${url}/v1/downloads/chainloop.cjs`)).arrayBuffer());
    assert.ok(served.equals(readFileSync(join(release.dir, 'chainloop.cjs'))), 'serves the released CLI');
    const sums = await (await fetch(`${url}/v1/downloads/chainloop.cjs.sha256`)).text();
    assert.ok(
      readFileSync(join(release.dir, 'SHA256SUMS'), 'utf8').includes(sums.trim()),
      'its digest is the release one',
    );
    writeFileSync(join(user.work, 'chainloop.cjs'), served);
    assert.equal(user.run('node', ['chainloop.cjs', '--version']).stdout.trim(), release.version);
  } finally {
    server.kill('SIGTERM');
  }
});

test('core alone: a typed ES module library with subpath exports, for scripts', { timeout: 400_000 }, () => {
  const release = makeRelease();
  const user = installRelease(release, node20(), []);
  const project = user.work;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'release-scripts', private: true, type: 'module' }),
  );
  const tarball = release.file(`chainloop-ts-core-${release.version}.tgz`);
  const npmCli = '/usr/lib/node_modules/npm/bin/npm-cli.js';
  const install = user.run('node', [npmCli, 'install', '--loglevel=error', tarball]);
  assert.equal(install.status, 0, install.stderr);
  writeFileSync(join(project, 'contract.yaml'), readFileSync(join(repoRoot, 'examples', 'contract.yaml')));
  writeFileSync(join(project, 'sbom.json'), readFileSync(join(vectors, 'materials', 'sbom.cyclonedx-1.5.json')));
  // A script a platform team might write: parse a contract, check the version, use one error class across subpaths.
  const script = [
    "import { readFileSync } from 'node:fs';",
    "import { CHAINLOOP_TS_VERSION, ChainloopError } from '@chainloop-ts/core';",
    "import { parseContract } from '@chainloop-ts/core/contract';",
    'const contract = parseContract(readFileSync("contract.yaml", "utf8"));',
    'const names: string[] = contract.materials.map((material) => material.name);',
    'let refused = "";',
    'try { parseContract("schemaVersion: v9\\nmaterials: []\\n"); } catch (error) { if (error instanceof ChainloopError) refused = error.code; }',
    'console.log(JSON.stringify({ version: CHAINLOOP_TS_VERSION, names, refused }));',
  ].join('\n');
  writeFileSync(join(project, 'check.ts'), script);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        outDir: 'out',
        types: [],
        skipLibCheck: false,
      },
      files: ['check.ts'],
    }),
  );
  // Types from the package itself (nodenext resolution, the way Node resolves), compiled with the repository's tsc.
  const tsc = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      project,
      '--typeRoots',
      join(repoRoot, 'node_modules', '@types'),
      '--types',
      'node',
    ],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const output = execFileSync(process.execPath, [join(project, 'out', 'check.js')], { cwd: project, encoding: 'utf8' });
  const answer = JSON.parse(output);
  assert.equal(answer.version, release.version);
  assert.deepEqual(answer.names, ['skynet-control-plane', 'rootfs', 'dockerfile', 'build-ref', 'skynet-sbom']);
  assert.ok(answer.refused, 'errors thrown by a subpath are the root ChainloopError');
  // And from CommonJS, require() of the ES module (Node 20.19+).
  const cjs = spawnSync(
    process.execPath,
    ['-e', "console.log(typeof require('@chainloop-ts/core/contract').parseContract)"],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  assert.equal(cjs.stdout.trim(), 'function', cjs.stderr);
});
