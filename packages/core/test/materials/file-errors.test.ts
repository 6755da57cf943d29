import '../hang-guard';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { spawnSyncAsNobody } from '../../../../scripts/test-support/as-nobody';
import { fixtureDir } from './fixture-dir';

const FILE_KINDS = ['ARTIFACT', 'EVIDENCE', 'SBOM_CYCLONEDX_JSON', 'JUNIT_XML', 'HELM_CHART', 'ATTESTATION'] as const;
const FIXTURE = join(import.meta.dirname, 'fixtures', 'inspect-as-kinds.ts');

describe('file materials that cannot be read', () => {
  const { dir, write } = fixtureDir();
  mkdirSync(join(dir, 'rootfs'));
  write('empty.tar.gz', '');

  for (const kind of FILE_KINDS) {
    it(`${kind}: missing, empty and directory values each get their own error`, async () => {
      const inspect = (value: string) => materialKind(kind).inspect({ name: 'rootfs', value, cwd: dir });
      await assert.rejects(inspect('./rootfs.tar.gz'), {
        code: 'MATERIAL_FILE_NOT_FOUND',
        message: 'material "rootfs": file ./rootfs.tar.gz not found',
      });
      await assert.rejects(inspect('empty.tar.gz'), {
        code: 'MATERIAL_FILE_EMPTY',
        message: 'material "rootfs": file empty.tar.gz is empty; an empty file cannot be attested',
      });
      await assert.rejects(inspect('rootfs'), {
        code: 'MATERIAL_FILE_IS_DIRECTORY',
        message: 'material "rootfs": rootfs is a directory, expected a file',
      });
    });
  }

  it('resolves relative paths against the given working directory', async () => {
    write('notes.txt', 'hello');
    const inspected = await materialKind('ARTIFACT').inspect({ name: 'notes', value: 'notes.txt', cwd: dir });
    assert.deepEqual(inspected, {
      shape: 'file',
      path: join(dir, 'notes.txt'),
      fileName: 'notes.txt',
      annotations: {},
    });
  });

  it('refuses a file the user may not read, with one line naming the file and the fix', () => {
    const secret = write('secret.bin', 'x');
    chmodSync(secret, 0o000);
    chmodSync(dir, 0o755); // others may look into the folder, not read the file
    const outcomes = inspectAsUnprivilegedUser(dir, 'secret.bin');
    for (const kind of FILE_KINDS) {
      assert.deepEqual(outcomes[kind], {
        code: 'MATERIAL_FILE_UNREADABLE',
        message: 'material "secret": file secret.bin cannot be read (permission denied); check its permissions',
      });
    }
  });

  it('refuses a file in a folder the user may not enter', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    write(join('locked', 'report.json'), '{}');
    chmodSync(dir, 0o755);
    const outcomes = inspectAsUnprivilegedUser(dir, 'locked/report.json');
    for (const kind of FILE_KINDS) {
      assert.deepEqual(outcomes[kind], {
        code: 'MATERIAL_FILE_UNREADABLE',
        message: 'material "secret": file locked/report.json cannot be read (EACCES)',
      });
    }
  });
});

/**
 * Inspects `value` as every file kind in a process of a user without privileges: `nobody` when the tests run as root
 * (as in CI; root may read any file), the current user otherwise. Never skipped: without unshare/setpriv the test
 * fails and says so.
 */
function inspectAsUnprivilegedUser(cwd: string, value: string): Record<string, unknown> {
  const node = [process.execPath, '--import', 'tsx', FIXTURE, cwd, value, ...FILE_KINDS];
  const options = { cwd: join(import.meta.dirname, '..', '..'), timeout: 120_000 };
  const run =
    userInfo().uid === 0
      ? spawnSyncAsNobody(node[0], node.slice(1), options)
      : spawnSync(node[0], node.slice(1), { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(run.error, undefined, `cannot run ${node[0]} (install util-linux): ${run.error?.message}`);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}
