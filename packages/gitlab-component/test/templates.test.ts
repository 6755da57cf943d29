/**
 * Static checks of the catalog layout: every template validates against GitLab's CI schema (each YAML document on
 * its own), declares typed and described inputs, and adds nothing global that could collide with the user's pipeline.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { fixtures } from '../../../e2e/support/paths';
import { componentRoot, templatesDir } from './support/component-project';

// ajv-formats is CommonJS with a default export; under ESM interop it arrives as the module object.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

const schema = JSON.parse(readFileSync(join(fixtures, 'schemas', 'gitlab-ci.schema.json'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** Catalog layout: templates/<name>.yml or templates/<name>/template.yml. */
function templates(): Array<{ name: string; path: string }> {
  return readdirSync(templatesDir).flatMap((entry) => {
    const path = join(templatesDir, entry);
    if (statSync(path).isDirectory()) {
      const file = join(path, 'template.yml');
      return existsSync(file) ? [{ name: entry, path: file }] : [];
    }
    return entry.endsWith('.yml') ? [{ name: entry.slice(0, -'.yml'.length), path }] : [];
  });
}

interface InputSpec {
  type?: string;
  default?: unknown;
  description?: string;
  regex?: string;
  options?: unknown[];
}

function load(path: string): {
  header: { spec: { inputs: Record<string, InputSpec> } };
  body: Record<string, unknown>;
} {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  assert.ok(Array.isArray(documents), `${path} is not YAML`);
  for (const document of documents) assert.deepEqual(document.errors, [], `${path}: YAML errors`);
  assert.equal(documents.length, 2, `${path}: a spec header document, ---, then the jobs`);
  return { header: documents[0].toJS(), body: documents[1].toJS({ maxAliasCount: -1 }) };
}

function schemaErrors(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const GLOBAL_KEYWORDS = [
  'default',
  'stages',
  'variables',
  'image',
  'services',
  'before_script',
  'after_script',
  'cache',
  'workflow',
  'include',
];

test('the catalog has a README and the two components', () => {
  assert.ok(existsSync(join(componentRoot, 'README.md')));
  assert.deepEqual(
    templates()
      .map((t) => t.name)
      .sort(),
    ['attest-job', 'attest-pipeline'],
  );
});

for (const template of templates()) {
  test(`${template.name}: each YAML document validates against the GitLab CI schema`, () => {
    const documents = parseAllDocuments(readFileSync(template.path, 'utf8'));
    assert.ok(Array.isArray(documents));
    for (const [index, document] of documents.entries()) {
      assert.deepEqual(schemaErrors(document.toJS({ maxAliasCount: -1 })), [], `document ${index}`);
    }
  });

  test(`${template.name}: inputs are described, typed where not strings, and their defaults pass their own rules`, () => {
    const { header } = load(template.path);
    const inputs = Object.entries(header.spec.inputs);
    assert.ok(inputs.length >= 9, 'inputs declared');
    for (const [name, input] of inputs) {
      assert.match(input.description ?? '', /\S{3}/, `${name}: description`);
      const type = input.type ?? 'string';
      if (input.default === undefined) continue;
      const actual = Array.isArray(input.default) ? 'array' : typeof input.default;
      assert.equal(actual, type, `${name}: default is a ${type}`);
      if (input.regex) assert.match(String(input.default), new RegExp(input.regex), `${name}: default matches regex`);
      if (input.options) assert.ok(input.options.includes(input.default), `${name}: default is an option`);
    }
    const required = inputs.filter(([, input]) => input.default === undefined).map(([name]) => name);
    assert.deepEqual(required, ['control-plane'], 'only the control plane URL has no default');
  });

  test(`${template.name}: no global keywords, and every job name comes from an input`, () => {
    const { body } = load(template.path);
    for (const keyword of GLOBAL_KEYWORDS) assert.ok(!(keyword in body), `global keyword ${keyword}`);
    for (const job of Object.keys(body)) {
      assert.match(job, /^\.?\$\[\[ inputs\.(job-prefix|job-name) \]\]/, `job ${job} is named from an input`);
    }
  });

  test(`${template.name}: every input is used, and only declared inputs are used`, () => {
    const text = readFileSync(template.path, 'utf8');
    const { header } = load(template.path);
    const declared = Object.keys(header.spec.inputs).sort();
    const used = [...new Set([...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]))].sort();
    assert.deepEqual(used, declared);
  });

  test(`${template.name}: the default CLI version is the version of the CLI this repository ships`, () => {
    const { header } = load(template.path);
    const cli = JSON.parse(readFileSync(join(componentRoot, '..', 'cli', 'package.json'), 'utf8'));
    assert.equal(header.spec.inputs['cli-version'].default, cli.version);
  });
}

test('both components get and define the CLI with the same steps (a fix to one is a fix to both)', () => {
  const job = Object.values(load(join(templatesDir, 'attest-job.yml')).body)[0] as { before_script: string[] };
  const pipeline = load(join(templatesDir, 'attest-pipeline.yml')).body['.$[[ inputs.job-prefix ]]-cli'] as {
    before_script: string[];
  };
  const steps = (lines: string[]) =>
    lines.filter((line) => /^# (Defines the chainloop command|Gets the CLI)/.test(line));
  assert.equal(steps(job.before_script).length, 2, 'attest-job defines and gets the CLI');
  assert.deepEqual(steps(pipeline.before_script), steps(job.before_script));
});

test('the schema check itself rejects what GitLab would reject', () => {
  assert.notDeepEqual(schemaErrors({ job: { script: ['true'], when: 'on_cancel' } }), []);
  assert.notDeepEqual(schemaErrors({ spec: { inputs: { x: { type: 'map' } } } }), []);
  assert.notDeepEqual(schemaErrors({ job: { script: ['true'], artifacts: { reports: { dotenv: 3 } } } }), []);
});
