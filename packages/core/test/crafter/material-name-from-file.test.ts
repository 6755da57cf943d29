import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DNS_1123_LABEL } from '../../src/contract/model';
import { materialNameFromFile, uniqueMaterialName } from '../../src/crafter/material-name-from-file';

describe('material names derived from files (--from-glob)', { timeout: 10_000 }, () => {
  test('the basename without its last extension, lower-cased, other characters as one dash', () => {
    const cases: Array<[string, string]> = [
      ['reports/unit/junit.xml', 'junit'],
      ['build/test-results/TEST-com.example.FooTest.xml', 'test-com-example-footest'],
      ['sbom/bom.cdx.json', 'bom-cdx'],
      ['scan results/Semgrep  Report (final).sarif', 'semgrep-report-final'],
      ['_private_.json', 'private'],
      ['Résumé.txt', 'resume'],
      ['Makefile', 'makefile'],
      ['.gitleaks.json', 'gitleaks'],
      // A dotfile has no extension to drop.
      ['reports/.xml', 'xml'],
    ];
    for (const [file, name] of cases) assert.equal(materialNameFromFile(file), name, file);
  });

  test('a file name with nothing usable still gives a valid name', () => {
    for (const file of ['测试.xml', '---.json', 'reports/__.sarif']) {
      assert.equal(materialNameFromFile(file), 'material', file);
    }
  });

  test('a long name is cut to 63 characters and never ends with a dash', () => {
    const name = materialNameFromFile(`${'a'.repeat(62)}-b-c.xml`);
    assert.equal(name, 'a'.repeat(62));
    const long = materialNameFromFile(`${'x'.repeat(100)}.xml`);
    assert.equal(long.length, 63);
    for (const derived of [name, long]) assert.match(derived, DNS_1123_LABEL);
  });

  test('collisions get -1, -2, … and skip every name taken', () => {
    assert.equal(uniqueMaterialName('junit', new Set()), 'junit');
    assert.equal(uniqueMaterialName('junit', new Set(['junit'])), 'junit-1');
    assert.equal(uniqueMaterialName('junit', new Set(['junit', 'junit-1', 'junit-2'])), 'junit-3');
    assert.equal(uniqueMaterialName('junit', new Set(['junit', 'junit-2'])), 'junit-1');
  });

  test('a suffixed 63-character name stays a 63-character DNS-1123 label', () => {
    const base = `${'a'.repeat(61)}-b`;
    const taken = new Set([base]);
    const first = uniqueMaterialName(base, taken);
    // "aaa…a-b" cut for "-1" would end in a dash: the dash goes too.
    assert.equal(first, `${'a'.repeat(61)}-1`);
    taken.add(first);
    const names = new Set(taken);
    for (let index = 0; index < 12; index++) {
      const next = uniqueMaterialName(base, names);
      assert.ok(next.length <= 63, next);
      assert.match(next, DNS_1123_LABEL);
      assert.ok(!names.has(next), `${next} is new`);
      names.add(next);
    }
  });
});
