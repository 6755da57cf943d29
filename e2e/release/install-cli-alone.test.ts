/**
 * The CLI package installed alone, and the control plane installed with its install scripts blocked: each says in one
 * line how to get a working control plane.
 * One file per install, so each install and its native build has the file time limit to itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installRelease, nodeRuntime } from '../support/outside-install';
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

test('install scripts blocked (npm 12 default): the control plane says in one line how to install it', {
  timeout: 300_000,
}, () => {
  const user = installRelease(makeRelease(), node20(), ['control-plane'], ['--ignore-scripts']);
  const result = user.run('chainloop-control-plane', ['start', '--listen', '127.0.0.1:0', '--data-dir', 'cp']);
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /^ERR the SQLite store cannot open: better-sqlite3's native binding is missing .*: reinstall with npm install -g --allow-scripts=better-sqlite3 @chainloop-ts\/control-plane .*\n$/,
  );
  assert.equal(result.stderr.split('\n').length, 2, result.stderr);
});
