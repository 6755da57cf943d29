/**
 * The core package installed alone in a project: a typed ES module library that scripts import by subpath.
 * One file per install, so each install and its native build has the file time limit to itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { installRelease, nodeRuntime } from '../support/outside-install';
import { repoRoot, vectors } from '../support/paths';
import { makeRelease } from '../support/release';

const node20 = () => nodeRuntime(20);

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
