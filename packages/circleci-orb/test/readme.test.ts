import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import type { Parameters } from './harness/config-model';
import { packageDir, packOrbTo } from './harness/orb-files';

const dir = mkdtempSync(join(tmpdir(), 'orb-readme-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { orb } = packOrbTo(join(dir, 'orb.yml'));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

test('the README documents every command, job and executor with each of its parameters', () => {
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

test('the README opens with the single-job example, copied as it is in the orb', () => {
  const firstBlock = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.deepEqual(parse(firstBlock ?? ''), orb.examples?.['single-job'].usage);
});
