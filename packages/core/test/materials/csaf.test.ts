import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MaterialKindName } from '@chainloop-ts/core/contract';
import { materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const CATEGORIES: [MaterialKindName, string][] = [
  ['CSAF_VEX', 'csaf_vex'],
  ['CSAF_INFORMATIONAL_ADVISORY', 'csaf_informational_advisory'],
  ['CSAF_SECURITY_ADVISORY', 'csaf_security_advisory'],
  ['CSAF_SECURITY_INCIDENT_RESPONSE', 'csaf_security_incident_response'],
];
const vex = () => JSON.parse(readFileSync(join(VECTORS, 'csaf_vex_v0.2.0.json'), 'utf8'));

describe('CSAF kinds', () => {
  it('records the generator engine of the VEX vector as the tool', async () => {
    const inspected = await materialKind('CSAF_VEX').inspect({
      name: 'vex',
      value: 'csaf_vex_v0.2.0.json',
      cwd: VECTORS,
    });
    assert.deepEqual(inspected.annotations, {
      'chainloop.material.tool.name': 'Secvisogram',
      'chainloop.material.tool.version': '1.11.0',
      'chainloop.material.tools': '["Secvisogram@1.11.0"]',
    });
  });

  it('accepts each category only as its own kind', async () => {
    const { dir, write } = fixtureDir();
    for (const [, category] of CATEGORIES) {
      const document = vex();
      document.document.category = category;
      write(`${category}.json`, JSON.stringify(document));
    }
    for (const [kind, category] of CATEGORIES) {
      for (const [other, otherCategory] of CATEGORIES) {
        const attempt = materialKind(other).inspect({ name: 'csaf', value: `${category}.json`, cwd: dir });
        if (other === kind) assert.equal((await attempt).shape, 'file', `${category} as ${kind}`);
        else {
          await assert.rejects(attempt, {
            code: 'MATERIAL_INVALID',
            message: `material "csaf": file ${category}.json is not a valid ${other}: document.category is "${category}", expected "${otherCategory}"`,
          });
        }
      }
    }
  });

  it('refuses documents missing required CSAF fields', async () => {
    const { dir, write } = fixtureDir();
    const noTracking = vex();
    delete noTracking.document.tracking.id;
    write('no-id.json', JSON.stringify(noTracking));
    const oldVersion = vex();
    oldVersion.document.csaf_version = '1.2';
    write('old.json', JSON.stringify(oldVersion));
    const kind = materialKind('CSAF_VEX');
    await assert.rejects(kind.inspect({ name: 'csaf', value: 'no-id.json', cwd: dir }), {
      message: /: document\.tracking\.id is missing$/,
    });
    await assert.rejects(kind.inspect({ name: 'csaf', value: 'old.json', cwd: dir }), {
      message: /: document\.csaf_version is "1\.2", expected "2\.0" or "2\.1"$/,
    });
    await assert.rejects(kind.inspect({ name: 'csaf', value: 'random.json', cwd: VECTORS }), {
      message: /: it has no "document" object$/,
    });
  });
});
