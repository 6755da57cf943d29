/**
 * `npm run release` into a temp folder, once per test process, signed with a throwaway key made by the CLI, as a
 * maintainer would run it (the packages are already built by the test script).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { cliBundle, repoRoot } from './paths';

export const RELEASE_KEY_PASSWORD = 'throwaway release key for tests';

export interface Release {
  dir: string;
  version: string;
  publicKey: string;
  /** The release script's stderr (its steps) and stdout. */
  output: string;
  file(prefix: string): string;
}

let made: Release | undefined;
const scratch: string[] = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

export function makeRelease(): Release {
  if (made) return made;
  const work = mkdtempSync(join(tmpdir(), 'chainloop-release-test-'));
  scratch.push(work);
  const env = { ...process.env, CHAINLOOP_SIGNING_PASSWORD: RELEASE_KEY_PASSWORD };
  execFileSync(process.execPath, [cliBundle, 'keys', 'generate', '--output-prefix', join(work, 'maintainer')], {
    env,
    stdio: 'ignore',
  });
  const dir = join(work, 'release');
  const result = spawnSync(
    'npm',
    ['run', '--silent', 'release', '--', '--key', join(work, 'maintainer.key'), '--out', dir, '--no-build'],
    { cwd: repoRoot, env, encoding: 'utf8', timeout: 300_000 },
  );
  if (result.status !== 0)
    throw new Error(`npm run release failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
  const version = (
    JSON.parse(execFileSync('cat', [join(repoRoot, 'lerna.json')], { encoding: 'utf8' })) as { version: string }
  ).version;
  made = {
    dir,
    version,
    publicKey: join(dir, 'release.pub'),
    output: `${result.stderr}${result.stdout}`,
    file(prefix: string) {
      const match = readdirSync(dir).find((name) => name.startsWith(prefix));
      if (!match || !existsSync(join(dir, match)))
        throw new Error(`no ${prefix}* in the release (${readdirSync(dir).join(', ')})`);
      return join(dir, match);
    },
  };
  return made;
}
