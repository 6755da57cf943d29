import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir } from './fixture-dir';

const FILE_KINDS = ['ARTIFACT', 'EVIDENCE', 'SBOM_CYCLONEDX_JSON', 'JUNIT_XML', 'HELM_CHART', 'ATTESTATION'] as const;

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

  it('refuses a file the user may not read', async (t) => {
    if (userInfo().uid === 0) {
      t.skip('running as root: every file is readable, so permission errors cannot occur');
      return;
    }
    const secret = write('secret.bin', 'x');
    chmodSync(secret, 0o000);
    await assert.rejects(materialKind('ARTIFACT').inspect({ name: 'secret', value: 'secret.bin', cwd: dir }), {
      code: 'MATERIAL_FILE_UNREADABLE',
      message: /material "secret": file secret\.bin cannot be read \(permission denied\)/,
    });
  });
});
