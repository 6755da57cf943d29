import '../hang-guard';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ContractMaterial, MaterialKindName } from '@chainloop-ts/core/contract';
import { addMaterialsFromGlob, type CraftingContext, LocalStateStore } from '@chainloop-ts/core/crafter';
import { vectorPath } from '../attestation/vectors';
import { seedState } from './state-fixture';

const root = mkdtempSync(join(tmpdir(), 'add-from-glob-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A job's folder: the reports a CI run leaves, copied from the material vectors. */
function workspace(name: string, files: Record<string, string>): string {
  const cwd = join(root, name);
  for (const [path, vector] of Object.entries(files)) {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    copyFileSync(vectorPath('materials', vector), join(cwd, path));
  }
  return cwd;
}

const REPORTS = {
  'reports/unit/junit.xml': 'junit.xml',
  'reports/integration/junit.xml': 'junit.xml',
  'reports/scan/semgrep.sarif': 'report.sarif',
  'sbom/SBOM.cdx.json': 'sbom.cyclonedx-1.5.json',
};

const declared = (name: string, type: MaterialKindName, annotations: ContractMaterial['annotations'] = []) => ({
  name,
  type,
  optional: false,
  output: false,
  skipUpload: false,
  annotations,
});

/** A dry-run attestation (nothing uploaded) in `cwd`, with the contract materials given; its state file is in cwd. */
async function attestation(cwd: string, materials: ContractMaterial[] = []) {
  const store = new LocalStateStore(join(cwd, 'chainloop-attestation.tmp.json'));
  const base = seedState({ dryRun: true });
  await store.create({ ...base, contract: { ...base.contract, materials } });
  const warnings: string[] = [];
  const infos: string[] = [];
  const context: CraftingContext = {
    env: {},
    cwd,
    log: { info: (line) => infos.push(line), warn: (line) => warnings.push(line), progress: () => {} },
  };
  const materialsInState = async () => Object.values((await store.read())?.materials ?? {});
  return { store, context, warnings, infos, materialsInState };
}

describe('attestation add --from-glob (core)', { timeout: 60_000 }, () => {
  test('many matches across folders: one material each, kinds detected, names unique, annotations on each', async () => {
    const cwd = workspace('many', REPORTS);
    const { store, context, materialsInState, infos } = await attestation(cwd);
    const added = await addMaterialsFromGlob(context, store, {
      patterns: ['reports/**/*.xml', 'reports/**/*.sarif', 'sbom/*.json'],
      annotations: { suite: 'ci' },
    });
    assert.deepEqual(
      added.map(({ file, material }) => [file, material.name, material.kind]),
      [
        // In path order over all patterns, not pattern by pattern.
        ['reports/integration/junit.xml', 'junit', 'JUNIT_XML'],
        ['reports/scan/semgrep.sarif', 'semgrep', 'SARIF'],
        ['reports/unit/junit.xml', 'junit-1', 'JUNIT_XML'],
        ['sbom/SBOM.cdx.json', 'sbom-cdx', 'SBOM_CYCLONEDX_JSON'],
      ],
    );
    const saved = await materialsInState();
    assert.deepEqual(saved.map((material) => material.name).sort(), ['junit', 'junit-1', 'sbom-cdx', 'semgrep']);
    for (const material of saved) {
      assert.equal(material.annotations.suite, 'ci', material.name);
      assert.equal(material.contractFree, true, material.name);
      assert.match(material.digest, /^sha256:[0-9a-f]{64}$/);
    }
    assert.equal(saved.find((m) => m.name === 'sbom-cdx')?.fileName, 'SBOM.cdx.json');
    assert.ok(infos.includes('reports/unit/junit.xml: material "junit-1" detected as JUNIT_XML'), infos.join('\n'));
  });

  test('names already in the attestation are not reused: a second run adds junit-2 and junit-3', async () => {
    const cwd = workspace('rerun', REPORTS);
    const { store, context, materialsInState } = await attestation(cwd);
    const options = { patterns: ['reports/**/junit.xml'], annotations: {} };
    await addMaterialsFromGlob(context, store, options);
    const again = await addMaterialsFromGlob(context, store, options);
    assert.deepEqual(
      again.map(({ material }) => material.name),
      ['junit-2', 'junit-3'],
    );
    assert.equal((await materialsInState()).length, 4, 'nothing was replaced');
  });

  test('a name the contract declares is filled by its file; a suffix never lands on another declared name', async () => {
    const cwd = workspace('declared', REPORTS);
    const { store, context, materialsInState } = await attestation(cwd, [
      declared('junit', 'JUNIT_XML'),
      declared('junit-1', 'STRING'),
    ]);
    const added = await addMaterialsFromGlob(context, store, { patterns: ['reports/**/*.xml'], annotations: {} });
    assert.deepEqual(
      added.map(({ material }) => [material.name, material.kind, material.contractFree, material.required]),
      [
        ['junit', 'JUNIT_XML', false, true],
        ['junit-2', 'JUNIT_XML', true, false],
      ],
    );
    assert.equal((await materialsInState()).length, 2);
  });

  test('a file that is not of the declared kind is refused naming it, its kind and why; nothing is added', async () => {
    const cwd = workspace('declared-wrong', REPORTS);
    const { store, context, materialsInState } = await attestation(cwd, [declared('semgrep', 'SBOM_CYCLONEDX_JSON')]);
    await assert.rejects(
      addMaterialsFromGlob(context, store, { patterns: ['reports/**/*'], annotations: {} }),
      (error: Error & { code: string }) => {
        assert.equal(error.code, 'MATERIAL_INVALID');
        assert.match(
          error.message,
          /^material "semgrep": file reports\/scan\/semgrep\.sarif is not a valid SBOM_CYCLONEDX_JSON: .+; nothing added from --from-glob/,
        );
        return true;
      },
    );
    assert.deepEqual(await materialsInState(), [], 'the valid JUnit reports were not added either');
  });

  test('--kind: every match must be of it; each refused file is named, nothing is added', async () => {
    const cwd = workspace('kind', { ...REPORTS, 'reports/broken/TEST-broken.xml': 'junit-invalid.xml' });
    const { store, context, materialsInState, warnings } = await attestation(cwd);
    await assert.rejects(
      addMaterialsFromGlob(context, store, { patterns: ['reports/**/*.xml'], kind: 'junit_xml', annotations: {} }),
      {
        message:
          /^material "test-broken": file reports\/broken\/TEST-broken\.xml is not a valid JUNIT_XML: .+; nothing added from --from-glob/,
      },
    );
    assert.deepEqual(await materialsInState(), []);

    await assert.rejects(
      addMaterialsFromGlob(context, store, { patterns: ['reports/**/*'], kind: 'JUNIT_XML', annotations: {} }),
      { message: /^2 of the 4 files matched by --from-glob are refused \(each on a line above\); nothing added$/ },
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(
      warnings[0],
      /^material "test-broken": file reports\/broken\/TEST-broken\.xml is not a valid JUNIT_XML: /,
    );
    assert.match(warnings[1], /^material "semgrep": file reports\/scan\/semgrep\.sarif is not a valid JUNIT_XML: /);
    assert.deepEqual(await materialsInState(), []);

    // The same files as JUNIT_XML without the broken one: added, the kind checked rather than detected.
    const added = await addMaterialsFromGlob(context, store, {
      patterns: ['reports/{unit,integration}/*.xml'],
      kind: 'JUNIT_XML',
      annotations: {},
    });
    assert.deepEqual(
      added.map(({ material }) => [material.name, material.kind]),
      [
        ['junit', 'JUNIT_XML'],
        ['junit-1', 'JUNIT_XML'],
      ],
    );
  });

  test('an unknown --kind is a usage error before anything is read', async () => {
    const cwd = workspace('unknown-kind', REPORTS);
    const { store, context } = await attestation(cwd);
    await assert.rejects(
      addMaterialsFromGlob(context, store, { patterns: ['**/*.xml'], kind: 'JUNIT', annotations: {} }),
      { code: 'MATERIAL_KIND_UNKNOWN', exitCode: 2 },
    );
  });

  test('nothing matched: a warning naming the pattern and the working directory, nothing added, no error', async () => {
    const cwd = workspace('none', REPORTS);
    const { store, context, materialsInState, warnings } = await attestation(cwd);
    const before = readFileSync(store.path, 'utf8');
    const added = await addMaterialsFromGlob(context, store, { patterns: ['test-results/**/*.xml'], annotations: {} });
    assert.deepEqual(added, []);
    assert.deepEqual(warnings, [`--from-glob "test-results/**/*.xml" matched no file in ${cwd}: nothing added for it`]);
    assert.deepEqual(await materialsInState(), []);
    assert.equal(readFileSync(store.path, 'utf8'), before, 'the state is untouched');
  });

  test('the crafting state itself is never a match, even under **/*.json', async () => {
    const cwd = workspace('state-file', { 'sbom/SBOM.cdx.json': 'sbom.cyclonedx-1.5.json' });
    const { store, context } = await attestation(cwd);
    const added = await addMaterialsFromGlob(context, store, { patterns: ['**/*.json'], annotations: {} });
    assert.deepEqual(
      added.map(({ file }) => file),
      ['sbom/SBOM.cdx.json'],
    );
  });

  test("a declared material's required annotation left empty refuses the batch before any upload", async () => {
    const cwd = workspace('annotation', REPORTS);
    const { store, context, materialsInState } = await attestation(cwd, [
      declared('semgrep', 'SARIF', [{ name: 'scanner', value: '' }]),
    ]);
    await assert.rejects(
      addMaterialsFromGlob(context, store, { patterns: ['reports/**/*'], annotations: {} }),
      /annotations \["scanner"\] required for material "semgrep": pass --annotation scanner=VALUE; nothing added/,
    );
    assert.deepEqual(await materialsInState(), []);
    const added = await addMaterialsFromGlob(context, store, {
      patterns: ['reports/**/*'],
      annotations: { scanner: 'semgrep' },
    });
    assert.equal(added.find(({ material }) => material.name === 'semgrep')?.material.annotations.scanner, 'semgrep');
  });
});
