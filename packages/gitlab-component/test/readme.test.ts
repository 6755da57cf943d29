/**
 * The README is what the Catalog shows: its examples, copied into a project as they are, run green pipelines, and its
 * inputs tables say what the templates declare.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type TestControlPlane } from '../../../e2e/support/control-plane';
import {
  type ComponentProject,
  componentRoot,
  createComponentProject,
  templatesDir,
} from './support/component-project';
import { RUNNER_VARIABLES, runGitlabCiLocal } from './support/gitlab-ci-local';
import {
  assertNoSecrets,
  CONTRACT_MATERIALS,
  cliBundle,
  cliDownloads,
  cliFetchedLine,
  createWorkflow,
  DOWNLOADED_CLI,
  junitReport,
  materialKinds,
  onlyRun,
  runScript,
  verifiedStatement,
} from './support/scenario';

const readme = readFileSync(join(componentRoot, 'README.md'), 'utf8');
const COMPONENTS = ['attest-pipeline', 'attest-job'];

let cp: TestControlPlane;
const projects: ComponentProject[] = [];

before(async () => {
  assert.ok(existsSync(cliBundle), `${cliBundle} missing: run npm run build first`);
  cp = await startControlPlane();
});

after(async () => {
  await cp?.stop();
  for (const project of projects) project.remove();
});

/** The YAML block right after `<!-- example: <component> -->`. */
function example(component: string): string {
  const match = new RegExp(`<!-- example: ${component} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(match, `README has no example for ${component}`);
  return match[1];
}

/** The README section of a component: from its `### ` heading to the next heading of that level or higher. */
function section(component: string): string {
  const start = readme.indexOf(`### ${component}\n`);
  assert.ok(start >= 0, `README has no section for ${component}`);
  const rest = readme.slice(start + 4);
  const end = rest.search(/\n##+ /);
  return end >= 0 ? rest.slice(0, end) : rest;
}

/** The README's placeholder control plane, which a user replaces with theirs. */
const PLACEHOLDER_URL = 'https://chainloop.example.com';

/** The README's shell commands (```sh blocks), in order. */
function shellCommands(): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

for (const component of COMPONENTS) {
  test(`README: the ${component} example, copied as it is, runs a green pipeline with a verified attestation`, {
    timeout: 180_000,
  }, async () => {
    const workflow = await createWorkflow(cp);
    // Only the include address changes: this throwaway repo is the component project at its own commit.
    const pipeline = example(component).replace(
      `$CI_SERVER_FQDN/chainloop-ts/gitlab-component/${component}@0.1.0`,
      `$CI_SERVER_FQDN/$CI_PROJECT_PATH/${component}@$CI_COMMIT_SHA`,
    );
    assert.notEqual(pipeline, example(component));
    const created = createComponentProject({
      '.gitlab-ci.yml': pipeline,
      'src/main.c': 'int main(void) { return 0; }\n',
      'run-tests.sh': `#!/bin/sh\n# stands in for the project's test runner: writes a JUnit report where --junit says\nmkdir -p "$(dirname "$2")" && cat > "$2" <<'EOF'\n${junitReport}EOF\n`,
    });
    projects.push(created);
    cp.takeLog();
    // The example's control plane is a placeholder: point it at the test one. Nothing else: the jobs get the CLI
    // from that control plane, as a user's would.
    const run = await runGitlabCiLocal({
      cwd: created.dir,
      variables: RUNNER_VARIABLES,
      secrets: workflow.secrets,
      args: ['--input', `control-plane=${cp.url}`],
    });
    assert.equal(run.status, 0, run.output);
    // The CLI came from the control plane: downloaded, checked and run from the workspace.
    assert.ok(
      cliDownloads(cp).some((line) => line.startsWith('INF GET /v1/downloads/chainloop.cjs 200 ')),
      'the control plane handed out its CLI',
    );
    assert.ok(run.output.includes(cliFetchedLine(cp.url)), run.output);
    assert.ok(readFileSync(join(created.dir, DOWNLOADED_CLI)).equals(readFileSync(cliBundle)));
    assertNoSecrets(workflow, run.output);
    assertNoSecrets(workflow, run.argv.join(' '));
    const stored = await onlyRun(cp, workflow);
    assert.equal(stored.status, 'succeeded', JSON.stringify(stored));
    const statement = await verifiedStatement(cp, stored.id);
    assert.deepEqual(materialKinds(statement), CONTRACT_MATERIALS);
  });

  test(`README: the ${component} inputs table lists every input with its type and default`, { timeout: 10_000 }, () => {
    const [header] = parseAllDocuments(readFileSync(join(templatesDir, `${component}.yml`), 'utf8')) as unknown as [
      { toJS(): { spec: { inputs: Record<string, { type?: string; default?: unknown }> } } },
    ];
    const inputs = header.toJS().spec.inputs;
    const rows = Object.fromEntries(
      [...section(component).matchAll(/^\| `([\w-]+)`\s*\|[^|]*\|\s*(\w+)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [
        m[1],
        { type: m[2], default: m[3] },
      ]),
    );
    assert.deepEqual(Object.keys(rows).sort(), Object.keys(inputs).sort());
    for (const [name, input] of Object.entries(inputs)) {
      assert.equal(rows[name].type, input.type ?? 'string', `${name}: type`);
      const expected =
        input.default === undefined
          ? 'required'
          : `\`${typeof input.default === 'string' && input.default === '' ? "''" : JSON.stringify(input.default).replace(/^"|"$/g, '')}\``;
      assert.equal(rows[name].default, expected, `${name}: default`);
    }
  });
}

test('README: its shell commands, with the control plane URL filled in, give the digest and a chainloop.cjs that runs', {
  timeout: 60_000,
}, async () => {
  const commands = shellCommands();
  assert.equal(commands.length, 3, 'the digest, the download and the tarball commands');
  const [digest, download, tarball] = commands;
  const bundle = readFileSync(cliBundle);
  const { version } = JSON.parse(readFileSync(join(componentRoot, '..', 'cli', 'package.json'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'gitlab-readme-sh-'));
  try {
    const run = async (command: string, dir: string) => {
      assert.ok(command.includes(PLACEHOLDER_URL) || !command.includes('https://'), command);
      mkdirSync(dir, { recursive: true });
      const result = await runScript([command.replaceAll(PLACEHOLDER_URL, cp.url)], { cwd: dir, env: {} });
      assert.equal(result.status, 0, `${command}\n${result.output}`);
      return result.output;
    };
    // What cli-sha256 takes: the 64 hex digits of the CLI the control plane serves, in a sha256sum line.
    const printed = await run(digest, join(work, 'digest'));
    assert.equal(printed, `${createHash('sha256').update(bundle).digest('hex')}  chainloop.cjs\n`);

    await run(download, join(work, 'download'));
    assert.ok(readFileSync(join(work, 'download', 'tools', 'chainloop.cjs')).equals(bundle));

    // The release's CLI tarball: npm pack of a folder holding chainloop.cjs (scripts/release/npm-packages.ts).
    const stage = join(work, 'stage');
    mkdirSync(stage);
    copyFileSync(cliBundle, join(stage, 'chainloop.cjs'));
    writeFileSync(
      join(stage, 'package.json'),
      JSON.stringify({ name: '@chainloop-ts/cli', version, files: ['chainloop.cjs'] }),
    );
    const name = tarball.match(/chainloop-ts-cli-[\w.-]+\.tgz/)?.[0];
    assert.ok(name, 'the tarball command names the release tarball');
    mkdirSync(join(work, 'tarball'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', join(work, 'tarball')], { cwd: stage });
    assert.ok(existsSync(join(work, 'tarball', name)), `npm pack makes ${name}`);
    await run(tarball, join(work, 'tarball'));
    const extracted = join(work, 'tarball', 'tools', 'chainloop.cjs');
    assert.ok(readFileSync(extracted).equals(bundle));
    assert.equal(execFileSync(process.execPath, [extracted, '--version'], { encoding: 'utf8' }).trim(), version);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
