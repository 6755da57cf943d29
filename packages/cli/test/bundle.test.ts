import assert from 'node:assert/strict';
import { type StdioOptions, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeDryRunState } from './helpers/dry-run-state';
import { freshCliBundle } from './helpers/fresh-build';

const bundle = freshCliBundle();

/** No stdin (end of file at once) and a bound on the run: a CLI waiting for input fails the test, it does not hang it. */
const noInput: { stdio: StdioOptions; timeout: number } = { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 };

test('the bundled CLI runs with plain node and prints its version', () => {
  assert.ok(existsSync(bundle), `${bundle} missing: run npm run build first`);
  const result = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8', ...noInput });
  assert.equal(result.status, 0, result.stderr);
  const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
  assert.equal(result.stdout.trim(), version);
});

test('the bundle requires no native module', () => {
  const text = readFileSync(bundle, 'utf8');
  assert.doesNotMatch(text, /require\(["'][^"']*\.node["']\)/);
  assert.doesNotMatch(text, /require\(["']better-sqlite3["']\)/);
});

test('an unknown flag is a usage error with exit code 2', () => {
  const result = spawnSync(process.execPath, [bundle, '--no-such-flag'], { encoding: 'utf8', ...noInput });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown option/);
});

test('--version and status load none of the heavy built-ins (crypto, child_process, http, 2 ms each) nor the stream stack (stdout as a stream, fs/promises: ~4 ms)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cli-builtins-'));
  try {
    // Prints, at exit, the built-in modules the process loaded (straight to fd 2: process.stderr would load streams).
    const probe = join(work, 'probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => require('node:fs').writeSync(2, 'LOADED ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).join(',') + '\\n'));",
    );
    const loaded = (args: string[]) => {
      const result = spawnSync(process.execPath, ['--require', probe, bundle, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: work, TMPDIR: work },
        ...noInput,
      });
      assert.equal(result.status, 0, result.stderr);
      return /^LOADED (.*)$/m.exec(result.stderr)?.[1].split(',') ?? [];
    };
    for (const args of [['--version'], ['attestation', 'status']]) {
      if (args[1] === 'status') {
        writeDryRunState(join(work, 'chainloop-attestation.tmp.json'), {
          contractMaterials: [
            { name: 'build-ref', type: 'STRING', optional: false, output: false, skipUpload: false, annotations: [] },
          ],
        });
      }
      // stdout is a pipe here, as in CI: writing to it through process.stdout would load net and the streams.
      const heavy = loaded(args).filter((name) =>
        /^NativeModule (crypto|child_process|http|https|net|stream|fs\/promises|readline|zlib)$/.test(name),
      );
      assert.deepEqual(heavy, [], `chainloop ${args.join(' ')} loaded ${heavy.join(', ')}`);
    }
    // The probe sees them when they are used: `keys generate` needs crypto.
    assert.ok(loaded(['keys', 'generate', '--help']).length > 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
