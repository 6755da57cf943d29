/**
 * The README and docs/ as a user reads them: every relative link leads to a file of the repository, nothing points
 * at a file outside it, and every `chainloop` command line in their shell examples names a real command with options
 * that command has (checked against the CLI's own --help).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { cliBundle, repoRoot } from '../support/paths';

const pages = execFileSync('git', ['ls-files', 'README.md', 'docs/*.md', ':(glob)packages/*/README.md'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

test('README and docs pages exist and every relative link resolves inside the repository', { timeout: 30_000 }, () => {
  assert.ok(pages.includes('README.md'));
  assert.ok(pages.filter((page) => page.startsWith('docs/')).length >= 6, `docs pages: ${pages.join(', ')}`);
  const broken: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(repoRoot, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = join(repoRoot, dirname(page), target.split('#')[0]);
      if (!path.startsWith(repoRoot) || !existsSync(path)) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('nothing in the repository points at a file a clone does not have', { timeout: 30_000 }, () => {
  const found = spawnSync(
    'git',
    [
      'grep',
      '-n',
      '-E',
      String.raw`PRODUCT\.md|PRODUCT §|reference-(chainloop|ci|signing)|\.\./shared/|STYLE\.md`,
      '--',
      ':!fixtures/vectors',
      ':!e2e/docs/docs-examples.test.ts',
      ':!packages/github-action/dist',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(found.stdout, '', 'references to files outside the repository');
});

/** Splits a shell command line into words (quotes kept together, $(...) and trailing comments dropped). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.replace(/\s#\s.*$/, '').matchAll(/"[^"]*"|'[^']*'|\$\([^)]*\)|\S+/g)) out.push(match[0]);
  return out;
}

const helpCache = new Map<string, string>();
function help(path: string[]): string {
  const key = path.join(' ');
  if (!helpCache.has(key)) {
    const result = spawnSync(process.execPath, [cliBundle, ...path, '--help'], { encoding: 'utf8' });
    helpCache.set(key, result.status === 0 ? result.stdout : '');
  }
  return helpCache.get(key) as string;
}

test('every chainloop command line in the shell examples is a real command with real options', {
  timeout: 120_000,
}, () => {
  const rootHelp = help([]);
  let checked = 0;
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(repoRoot, page), 'utf8');
    for (const [, body] of text.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)) {
      for (const raw of body.replace(/\\\n/g, ' ').split('\n')) {
        for (const segment of raw.split(/&&|\|\||;|\|/)) {
          const tokens = words(segment.trim());
          const at = tokens.findIndex((token) => token === 'chainloop' || token.endsWith('/chainloop.cjs'));
          if (at < 0 || (at > 0 && !['npx', 'node', 'command'].includes(tokens[at - 1]) && !/=/.test(tokens[at - 1])))
            continue;
          const rest = tokens.slice(at + 1);
          const path: string[] = [];
          while (rest.length > 0 && /^[a-z][a-z-]*$/.test(rest[0]) && help([...path, rest[0]]) !== '')
            path.push(rest.shift() as string);
          if (path.length === 0 || rest[0] === '…' || rest[0] === '...') continue;
          const commandHelp = help(path);
          for (const flag of rest.filter((token) => /^--?[a-zA-Z]/.test(token))) {
            const name = flag.split('=')[0];
            if (
              !new RegExp(`(^|[\\s,])${name.replace(/[-]/g, '\\-')}([\\s,<\\[]|$)`, 'm').test(
                `${commandHelp}\n${rootHelp}`,
              )
            ) {
              problems.push(`${page}: chainloop ${path.join(' ')} has no option ${name} (${raw.trim()})`);
            }
          }
          checked++;
        }
      }
    }
  }
  assert.ok(checked >= 40, `only ${checked} chainloop command lines found`);
  assert.deepEqual(problems, []);
});
