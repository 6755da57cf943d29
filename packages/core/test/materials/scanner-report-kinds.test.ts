import '../hang-guard';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseContract } from '@chainloop-ts/core/contract';
import { addMaterial, type CraftingContext, LocalStateStore } from '@chainloop-ts/core/crafter';
import { detectMaterialKind, materialKind, NO_STRICT_VALIDATION_OPTION } from '@chainloop-ts/core/materials';
import { seedState } from '../crafter/state-fixture';
import { fixtureDir, VECTORS } from './fixture-dir';

const CHAINLOOP = join(VECTORS, 'chainloop');
const QUICK = { timeout: 30_000 };
const vector = (file: string) => JSON.parse(readFileSync(join(CHAINLOOP, file), 'utf8'));

describe('TRUFFLEHOG_JSON', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'trufflehog-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));
  const context: CraftingContext = { env: {}, cwd: CHAINLOOP, log: { info: () => {}, warn: () => {} } };
  const contract = parseContract('schemaVersion: v1\nmaterials:\n  - {type: TRUFFLEHOG_JSON, name: secrets}\n');

  it('records a clean scan (an empty file) as the canonical report [] under the file’s name', QUICK, async () => {
    const store = new LocalStateStore(join(workDir, 'state.json'));
    await store.create(seedState({ dryRun: true, contract }));
    const tempsBefore = readdirSync(tmpdir()).filter((name) => name.startsWith('chainloop-trufflehog-'));
    const { material } = await addMaterial(context, store, {
      name: 'secrets',
      value: 'trufflehog-clean-scan.jsonl',
      annotations: {},
    });
    // sha256("[]"), as Chainloop records it; never the digest every empty file shares (e3b0c442…).
    assert.equal(material.digest, 'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
    assert.equal(material.fileName, 'trufflehog-clean-scan.jsonl');
    assert.equal(material.size, 2);
    assert.equal(material.annotations['chainloop.material.tool.name'], 'trufflehog');
    assert.equal(material.annotations['chainloop.material.size'], '2');
    // The stand-in file is gone once the material is crafted.
    const tempsAfter = readdirSync(tmpdir()).filter((name) => name.startsWith('chainloop-trufflehog-'));
    assert.deepEqual(tempsAfter, tempsBefore);
  });

  it(
    'reads findings as a stream of JSON values, not only one per line, and refuses trailing garbage',
    QUICK,
    async () => {
      const { dir, write } = fixtureDir();
      const trufflehog = materialKind('TRUFFLEHOG_JSON');
      const finding = JSON.stringify({ DetectorName: 'AWS', Raw: 'AKIA…' });
      write('two-per-line.json', `${finding} ${finding}\n`);
      write('array.json', `[${finding}]`);
      write('array-then-more.json', `[] ${finding}`);
      write('not-an-object.json', `${finding}\n42\n`);
      for (const file of ['two-per-line.json', 'array.json']) {
        await trufflehog.inspect({ name: 'secrets', value: file, cwd: dir });
      }
      await assert.rejects(trufflehog.inspect({ name: 'secrets', value: 'array-then-more.json', cwd: dir }), {
        code: 'MATERIAL_INVALID',
        message: /: it is not a valid JSON array of findings/,
      });
      await assert.rejects(trufflehog.inspect({ name: 'secrets', value: 'not-an-object.json', cwd: dir }), {
        code: 'MATERIAL_INVALID',
        message: /: it is not JSON lines \(bad value at character \d+\)$/,
      });
    },
  );
});

describe('CHECKMARX_JSON', () => {
  it('needs type and data on every result, and takes a null data as present', QUICK, async () => {
    const { dir, write } = fixtureDir();
    const report = vector('checkmarx-extra-engines.json');
    write('null-data.json', JSON.stringify({ ...report, results: [{ type: 'sast', data: null }] }));
    const withNull = await materialKind('CHECKMARX_JSON').inspect({ name: 'cx', value: 'null-data.json', cwd: dir });
    assert.equal(withNull.annotations['chainloop.material.scan.types'], 'sast');
    write('no-data.json', JSON.stringify({ ...report, results: [report.results[0], { type: 'sca' }] }));
    await assert.rejects(materialKind('CHECKMARX_JSON').inspect({ name: 'cx', value: 'no-data.json', cwd: dir }), {
      message: /: result 1 has no type or no data$/,
    });
    const { results: _, ...noResults } = report;
    write('no-results.json', JSON.stringify(noResults));
    await assert.rejects(materialKind('CHECKMARX_JSON').inspect({ name: 'cx', value: 'no-results.json', cwd: dir }), {
      message: /: results is missing$/,
    });
  });
});

describe('OSSF_SCORECARD_JSON', () => {
  it('checks the Scorecard v2 schema, unless --no-strict-validation', QUICK, async () => {
    const { dir, write } = fixtureDir();
    const report = vector('scorecard-chainloop.json');
    report.checks[0].score = 'high';
    write('bad-check.json', JSON.stringify(report));
    const scorecard = materialKind('OSSF_SCORECARD_JSON');
    await assert.rejects(scorecard.inspect({ name: 'sc', value: 'bad-check.json', cwd: dir }), {
      code: 'MATERIAL_INVALID',
      message: /: Scorecard v2 schema validation failed: \/checks\/0\/score must be integer$/,
    });
    const lenient = await scorecard.inspect({
      name: 'sc',
      value: 'bad-check.json',
      cwd: dir,
      options: { [NO_STRICT_VALIDATION_OPTION]: true },
    });
    assert.equal(lenient.annotations['chainloop.material.scorecard.score'], '8.2');
  });
});

describe('ZAP_DAST_ZIP', () => {
  it('names what is wrong with the report inside the zip', QUICK, async () => {
    // A zip of JUnit reports is a zip, but no ZAP scan.
    await assert.rejects(materialKind('ZAP_DAST_ZIP').inspect({ name: 'zap', value: 'tests.zip', cwd: VECTORS }), {
      code: 'MATERIAL_INVALID',
      message: 'material "zap": file tests.zip is not a valid ZAP_DAST_ZIP: the zip holds no report_json.json',
    });
  });
});

describe('SYSINTERNALS_SIGCHECK', () => {
  it('reads the UTF-16 report sigcheck writes on Windows, and UTF-8 with a byte-order mark', QUICK, async () => {
    const { dir, write } = fixtureDir();
    const csv = readFileSync(join(CHAINLOOP, 'sigcheck-report.csv'), 'utf8').replace(/\n/g, '\r\n');
    write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
    write('bom.csv', `\ufeff${csv}`);
    for (const file of ['utf16.csv', 'bom.csv']) {
      const detected = await detectMaterialKind({ name: 'sig', value: file, cwd: dir });
      assert.equal(detected.kind, 'SYSINTERNALS_SIGCHECK', file);
    }
  });

  it('needs both columns in the header row, whatever the rows hold', QUICK, async () => {
    const { dir, write } = fixtureDir();
    write('no-verified.csv', '"Path","Publisher"\n"c:\\a.exe","Verified"\n');
    await assert.rejects(
      materialKind('SYSINTERNALS_SIGCHECK').inspect({ name: 'sig', value: 'no-verified.csv', cwd: dir }),
      {
        message: /: the header has no Verified column$/,
      },
    );
    assert.equal((await detectMaterialKind({ name: 'sig', value: 'no-verified.csv', cwd: dir })).kind, 'ARTIFACT');
  });

  it('reads only the start of a large file during detection', QUICK, async () => {
    const { dir, write } = fixtureDir();
    const path = write('big.csv', '"Path","Verified"\n');
    const row = Buffer.from('"c:\\windows\\system32\\ntdll.dll","Signed"\n'.repeat(1000));
    for (let i = 0; i < 100; i += 1) appendFileSync(path, row);
    const readSoFar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
    await materialKind('SYSINTERNALS_SIGCHECK').inspect({ name: 'warm-up', value: 'big.csv', cwd: dir });
    const before = readSoFar();
    await materialKind('SYSINTERNALS_SIGCHECK').inspect({ name: 'sig', value: 'big.csv', cwd: dir });
    assert.ok(readSoFar() - before < 1024 * 1024, 'a 4 MB report was read whole');
  });
});

describe('SYSINTERNALS_ACCESSCHK', () => {
  it('takes a security descriptor listing (-l) without banner as AccessChk output', QUICK, async () => {
    const { dir, write } = fixtureDir();
    write(
      'descriptor.txt',
      'HKLM\\Software\\App\n  DESCRIPTOR FLAGS:\n      [SE_DACL_PRESENT]\n  OWNER: BUILTIN\\Administrators\n  [0] ACCESS_ALLOWED_ACE_TYPE: NT AUTHORITY\\SYSTEM\n        KEY_ALL_ACCESS\n',
    );
    const inspected = await materialKind('SYSINTERNALS_ACCESSCHK').inspect({
      name: 'acl',
      value: 'descriptor.txt',
      cwd: dir,
    });
    assert.deepEqual(inspected.annotations, { 'chainloop.material.tool.name': 'AccessChk' });
  });

  it('refuses text that is no AccessChk output, and bytes that are not UTF-8', QUICK, async () => {
    const { dir, write } = fixtureDir();
    write('notes.txt', 'Release notes\n  WRITE_DAC is not an access entry\n  RWX neither\n');
    write('binary.txt', Buffer.from([0x41, 0x0a, 0x20, 0x20, 0x52, 0x57, 0x20, 0xff, 0xfe]));
    await assert.rejects(
      materialKind('SYSINTERNALS_ACCESSCHK').inspect({ name: 'acl', value: 'notes.txt', cwd: dir }),
      {
        message: /: it does not look like AccessChk output \(no banner, access entry or security descriptor\)$/,
      },
    );
    await assert.rejects(
      materialKind('SYSINTERNALS_ACCESSCHK').inspect({ name: 'acl', value: 'binary.txt', cwd: dir }),
      {
        message: /: it is not UTF-8 text$/,
      },
    );
  });
});

describe('GITLEAKS_JSON', () => {
  it('refuses a list of something other than findings', QUICK, async () => {
    const { dir, write } = fixtureDir();
    write('numbers.json', '[1, 2]');
    await assert.rejects(materialKind('GITLEAKS_JSON').inspect({ name: 'leaks', value: 'numbers.json', cwd: dir }), {
      message: /: element 0 is not an object$/,
    });
    assert.equal((await detectMaterialKind({ name: 'leaks', value: 'numbers.json', cwd: dir })).kind, 'ARTIFACT');
  });
});
