import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FilesystemCasBackend } from '../../src/cas/filesystem-backend';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';
import { casConformance } from './cas-conformance';

casConformance('filesystem', async () => {
  const root = makeTempDir('cas-filesystem-');
  const backend = new FilesystemCasBackend(root);
  await backend.init();
  const tmp = join(root, 'tmp');
  return {
    backend,
    bytesInFlight: () => readdirSync(tmp).reduce((sum, name) => sum + statSync(join(tmp, name)).size, 0),
    leftovers: () => readdirSync(tmp),
    close: async () => removeDir(root),
  };
});
