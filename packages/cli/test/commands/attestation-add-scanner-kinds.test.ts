/**
 * `attestation add --kind` takes the scanner and secret-scan kinds by name (any case), as a contract does, and the
 * bundled CLI validates them: Chainloop's own reports are added with the annotations Chainloop records, a clean
 * TruffleHog scan (an empty file) is recorded as `[]`, and a report of the wrong kind is refused in one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../helpers/control-plane-cli';
import { writeDryRunState } from '../helpers/dry-run-state';

const CHAINLOOP = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors', 'materials', 'chainloop');

describe('attestation add --kind with the scanner kinds', { timeout: 180_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-scanner-kinds-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const statePath = join(root, 'state.json');
  writeDryRunState(statePath);
  const add = (name: string, kind: string, file: string) =>
    runCli([
      'attestation',
      'add',
      '--name',
      name,
      '--kind',
      kind,
      '--value',
      join(CHAINLOOP, file),
      '--local-state-path',
      statePath,
    ]);
  const material = (name: string) => JSON.parse(readFileSync(statePath, 'utf8')).materials[name];

  test('adds reports of the new kinds with their annotations', () => {
    for (const [name, kind, file] of [
      ['leaks', 'GITLEAKS_JSON', 'gitleaks-report-clean.json'],
      ['baseline', 'yelp_detect_secrets_baseline', 'detect-secrets-baseline-clean.json'],
      ['signatures', 'SYSINTERNALS_SIGCHECK', 'sigcheck-report-tab.csv'],
      ['scorecard', 'OSSF_SCORECARD_JSON', 'scorecard-chainloop.json'],
      ['dast', 'ZAP_DAST_ZIP', 'zap_scan.zip'],
      ['cx', 'CHECKMARX_JSON', 'checkmarx.json'],
      ['secrets', 'TRUFFLEHOG_JSON', 'trufflehog-clean-scan.jsonl'],
    ]) {
      const added = add(name, kind, file);
      assert.equal(added.status, 0, `${kind}: ${added.stderr}`);
      assert.equal(material(name).kind, kind.toUpperCase());
      assert.equal(material(name).fileName, file);
    }
    assert.equal(material('leaks').annotations['chainloop.material.tool.name'], 'gitleaks');
    assert.equal(material('baseline').annotations['chainloop.material.tool.version'], '1.5.0');
    assert.equal(material('signatures').annotations['chainloop.material.tool.name'], 'sigcheck');
    assert.equal(material('scorecard').annotations['chainloop.material.scorecard.score'], '8.2');
    assert.equal(material('cx').annotations['chainloop.material.scan.types'], 'iac,sast,sca');
    assert.equal(material('secrets').digest, 'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
  });

  test('refuses a report of another kind in one line', () => {
    const refused = add('code-scan', 'GHAS_CODE_SCAN', 'ghas-secret-scan.json');
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^ERR material "code-scan": file \S+ghas-secret-scan\.json is not a valid GHAS_CODE_SCAN: the first alert has no "tool" object/m,
    );
    assert.equal(material('code-scan'), undefined);
  });
});
