/** The `reports` input's globs, as a user writes them in `with:`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReportPatterns } from '../src/inputs';

test('reports: one glob per line or comma-separated; a comma inside braces stays in its glob', () => {
  assert.deepEqual(
    parseReportPatterns(
      'reports/**/*.xml\n  sbom/*.{json,xml} , scans/*.sarif,\n\n# coverage comes later\r\nout/a.txt',
    ),
    ['reports/**/*.xml', 'sbom/*.{json,xml}', 'scans/*.sarif', 'out/a.txt'],
  );
  assert.deepEqual(parseReportPatterns(''), []);
  assert.deepEqual(parseReportPatterns(' , \n'), []);
});
