import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { startControlPlane } from '../../../e2e/support/control-plane';
import { cliBundle } from '../../../e2e/support/paths';
import type { Parameters } from './harness/config-model';
import { packageDir, packOrbTo } from './harness/orb-files';

const dir = mkdtempSync(join(tmpdir(), 'orb-readme-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

test('the README documents every command, job and executor with each of its parameters', { timeout: 60_000 }, () => {
  for (const section of ['commands', 'jobs', 'executors'] as const) {
    const elements: Record<string, { parameters?: Parameters }> = orb[section] ?? {};
    for (const [name, definition] of Object.entries(elements)) {
      const start = readme.indexOf(`#### \`${name}\``);
      assert.ok(start >= 0, `README section for ${section}.${name}`);
      const end = readme.indexOf('\n#', start + 1);
      const body = readme.slice(start, end < 0 ? undefined : end);
      for (const [parameter, declaration] of Object.entries(definition.parameters ?? {})) {
        // Table cells may be padded (formatters align the columns).
        const row = new RegExp(`\\|\\s*\`${parameter}\`\\s*\\|\\s*${declaration.type}\\b`);
        assert.match(body, row, `README ${section}.${name} documents ${parameter} (${declaration.type})`);
      }
    }
  }
});

test('the README opens with the single-job example, copied as it is in the orb', { timeout: 60_000 }, () => {
  const firstBlock = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.deepEqual(parse(firstBlock ?? ''), orb.examples?.['single-job'].usage);
});

/** The fenced blocks of a language in the README. */
function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]);
}

test('every YAML snippet of the README is an example of the orb, so the example tests run it as pasted', {
  timeout: 60_000,
}, () => {
  const yamlBlocks = blocks('yaml');
  assert.ok(yamlBlocks.length >= 3);
  const examples = Object.values(orb.examples ?? {}).map((example) => JSON.stringify(example.usage));
  for (const block of yamlBlocks) {
    assert.ok(examples.includes(JSON.stringify(parse(block))), `not an example of the orb:\n${block}`);
  }
});

test('the README shell snippets run as pasted against a control plane: the digest to pin, a checked chainloop.cjs', {
  timeout: 60_000,
}, async () => {
  const shellBlocks = blocks('sh');
  assert.ok(shellBlocks.length >= 2);
  const controlPlane = await startControlPlane();
  try {
    const sha256 = createHash('sha256').update(readFileSync(cliBundle)).digest('hex');
    const outputs: string[] = [];
    for (const [index, block] of shellBlocks.entries()) {
      const cwd = join(dir, `snippet-${index}`);
      mkdirSync(cwd);
      const result = spawnSync('bash', ['-eo', 'pipefail', '-c', block], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: cwd, CHAINLOOP_CONTROL_PLANE_API: controlPlane.url },
      });
      assert.equal(result.status, 0, `${block}\n${result.stdout}${result.stderr}`);
      outputs.push(result.stdout);
    }
    assert.ok(
      outputs.includes(`${sha256}  chainloop.cjs\n`),
      'a snippet prints the sha256sum line whose digest cli_sha256 pins',
    );
    assert.ok(outputs.includes('chainloop.cjs: OK\n'), 'a snippet checks the downloaded chainloop.cjs with sha256sum');
    const fetched = shellBlocks.findIndex((block) => block.includes('tools'));
    assert.ok(readFileSync(join(dir, `snippet-${fetched}`, 'tools', 'chainloop.cjs')).equals(readFileSync(cliBundle)));
  } finally {
    await controlPlane.stop();
  }
});
