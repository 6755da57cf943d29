/**
 * "What did release 1.4 attest, and does it verify?", answered by clicking: Debian's chromium (playwright-core) on the
 * web UI of a real control plane whose runs were crafted by the bundled CLI (support/scenario.ts). Every view is
 * checked with axe-core and photographed into e2e/web-ui/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { runCli } from '../support/cli';
import { vectors } from '../support/paths';
import { assertAccessible, launchChromium, screenshot, signIn } from './support/browser';
import {
  BUSY_RUNS,
  HOSTILE_ANNOTATION,
  HOSTILE_MATERIAL_ANNOTATION,
  HOSTILE_REASON,
  HOSTILE_VALUE,
  RELEASE_CONTRACT,
  RELEASE_CONTRACT_V3,
  RELEASE_TAG_VIOLATION,
  RELEASE_VERSION,
  ROOTFS_BYTES,
  type Scenario,
  startScenario,
} from './support/scenario';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();

describe('web UI: browsing workflows, runs and attestations in chromium', { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'web-ui-e2e-'));
  let scenario: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    // One after the other: if the scenario fails, `after` still has the browser to close.
    browser = await launchChromium();
    scenario = await startScenario(scratch);
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  });
  after(async () => {
    await browser?.close();
    await scenario?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const open = async (hash: string, ready: string) => {
    await page.goto(`${scenario.cp.url}/${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
  };

  /** Waits until the pagination line says `expected` (the page's runs have arrived). */
  const waitForPageInfo = (expected: string) =>
    page.locator('.page-info', { hasText: expected }).waitFor({ timeout: 15_000 });

  /** Downloads what clicking `link` fetches into `dir`, under the name the control plane gave it. */
  const download = async (link: Locator, dir: string) => {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), link.click()]);
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    return { path, name: file.suggestedFilename(), bytes: readFileSync(path) };
  };

  /** The stored bundle, as the admin API returns it. */
  const storedBundle = async (runId: string) => {
    const response = await fetch(`${scenario.cp.url}/v1/attestations/${runId}`, {
      headers: { authorization: `Bearer ${scenario.cp.adminToken}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { bundle: string }).bundle;
  };

  test('a wrong admin token is refused; the right one signs in', { timeout: 60_000 }, async () => {
    await page.goto(`${scenario.cp.url}/`);
    await page.getByLabel('Admin token').fill('cl_admin_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await text(page.getByRole('alert')), /admin token is not valid for this control plane/);
    await assertAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await signIn(page, scenario.cp.url, scenario.cp.adminToken);
  });

  test('Workflows: runs in the last 7 days per workflow, the latest run, and the chart of every run', {
    timeout: 60_000,
  }, async () => {
    await open('#/workflows', 'table.workflows tbody tr');
    const row = (id: string) => page.locator(`tr[data-workflow-id="${id}"]`);
    assert.equal(await text(row(scenario.release.id).locator('td.week')), '6');
    assert.equal(await text(row(scenario.nightly.id).locator('td.week')), '1');
    assert.equal(await text(row(scenario.busy.id).locator('td.week')), String(BUSY_RUNS));
    assert.equal(await text(row(scenario.nightly.id).locator('td.latest')), 'succeeded');
    assert.equal(await text(row(scenario.busy.id).locator('td.latest')), 'failed');
    const counts = await page
      .locator('figure.activity rect[data-count]')
      .evaluateAll((bars) =>
        bars.map((bar) => [bar.getAttribute('data-status'), Number(bar.getAttribute('data-count'))]),
      );
    const byStatus = new Map<string, number>();
    for (const [status, count] of counts as Array<[string, number]>)
      byStatus.set(status, (byStatus.get(status) ?? 0) + count);
    assert.deepEqual(Object.fromEntries([...byStatus].sort()), {
      cancelled: 1,
      expired: 1,
      failed: 1 + BUSY_RUNS,
      succeeded: 4,
    });
    await assertAccessible(page, 'Workflows');
    await screenshot(page, 'workflows');
  });

  test("Runs: a workflow's runs paginated by the server, filtered by status, runner and time", {
    timeout: 90_000,
  }, async () => {
    await open('#/workflows', 'table.workflows tbody tr');
    await page.locator(`tr[data-workflow-id="${scenario.busy.id}"] td.name a`).click();
    const info = page.locator('.page-info');
    await waitForPageInfo('Page 1 of 3');
    assert.equal(await text(info), `Page 1 of 3 (${BUSY_RUNS} runs)`);
    const ids = () =>
      page.locator('table.runs tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));
    const first = await ids();
    assert.equal(first.length, 50);
    await page.getByRole('link', { name: 'Next page' }).click();
    await waitForPageInfo('Page 2 of 3');
    const second = await ids();
    assert.equal(second.length, 50);
    assert.equal(second.filter((id) => first.includes(id)).length, 0, 'page 2 shows other runs than page 1');
    await page.getByRole('link', { name: 'Next page' }).click();
    await waitForPageInfo('Page 3 of 3');
    assert.equal((await ids()).length, BUSY_RUNS - 100);
    await assertAccessible(page, 'Runs');
    await screenshot(page, 'runs');

    // Status: the release workflow's failed run, and only it.
    await page.getByLabel('Workflow').selectOption(scenario.release.id);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForPageInfo('(1 runs)');
    assert.deepEqual(await ids(), [scenario.runs.failed]);

    // Runner: every workflow's Jenkins runs are the busy workflow's.
    await page.getByLabel('Workflow').selectOption('');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Runner').selectOption('JENKINS_JOB');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForPageInfo(`(${BUSY_RUNS} runs)`);

    // Time: nothing started after tomorrow.
    await page.getByLabel('Runner').selectOption('');
    await page.getByLabel('From').fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForPageInfo('(0 runs)');
    assert.match(await text(page.locator('main')), /No run matches these filters/);
  });

  test('Run detail of the key-signed release: materials, env, annotations, statement, and it verifies', {
    timeout: 120_000,
  }, async () => {
    // "What did release 1.4 attest?": the release workflow's runs of version 1.4, then the run.
    const runId = scenario.runs.keySigned;
    await open('#/runs', 'table.runs tbody tr');
    await page.getByLabel('Workflow').selectOption(scenario.release.id);
    await page.getByLabel('Version').fill(RELEASE_VERSION);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForPageInfo('(1 runs)');
    assert.equal(await text(page.locator(`tr[data-run-id="${runId}"] td.version`)), RELEASE_VERSION);
    await page.locator(`tr[data-run-id="${runId}"] a`).click();
    await page.locator('table.materials').waitFor({ timeout: 15_000 });
    assert.equal(await text(page.locator('.project-version')), RELEASE_VERSION);

    assert.equal(await text(page.locator('.run-status')), 'succeeded');
    const events = await page
      .locator('ol.timeline li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-event')));
    assert.deepEqual(events, ['initialized', 'pushed']);
    assert.match(
      (await page.locator('a.job-link').getAttribute('href')) ?? '',
      /^https:\/\/github\.com\/chainloop-dev\/bedrock\/actions\/runs\/\d+$/,
    );

    const verification = page.locator('p.verification');
    assert.equal(await verification.getAttribute('data-verified'), 'true');
    assert.match(
      await text(verification),
      new RegExp(`^Verified with key "${scenario.releaseKeyName}" \\(sha256:[0-9a-f]{64}\\)\\.$`),
    );

    // The hostile values are text: the same characters back, no element made of them, no script run.
    const rootfs = page.locator('tr[data-material="rootfs"]');
    assert.equal(await text(rootfs.locator('td.value')), 'rootfs.tar.gz');
    assert.equal(await text(rootfs.locator('td.digest')), sha256(ROOTFS_BYTES));
    assert.equal(await text(rootfs.locator('td.size')), `${Buffer.byteLength(ROOTFS_BYTES)} B`);
    assert.equal(await text(rootfs.locator('td.annotations dd')), HOSTILE_MATERIAL_ANNOTATION);
    assert.equal(await text(page.locator('tr[data-material="build-ref"] td.value')), HOSTILE_VALUE);
    assert.equal(await text(page.locator('.annotations-section td')), HOSTILE_ANNOTATION);
    assert.match(await text(page.locator('.env-section')), /GITHUB_REPOSITORY\s*chainloop-dev\/bedrock/);
    // The advisory policy the hostile build-ref violated, as the signed statement records it, its message as text.
    const policy = page.locator('tr[data-policy="release-tag"]');
    assert.equal(await text(policy.locator('td.material')), 'build-ref');
    assert.equal(await text(policy.locator('td.result')), '1 violation');
    assert.equal(await text(policy.locator('td.gate')), 'no');
    assert.deepEqual(await policy.locator('li.violation').allTextContents(), [RELEASE_TAG_VIOLATION]);
    assert.equal(await page.locator('p.policy-flags').getAttribute('data-has-violations'), 'true');
    assert.match(
      await text(page.locator('p.policy-flags')),
      /^Some policies have violations\. Blocking strategy: ADVISORY\.$/,
    );
    assert.equal(await page.locator('main img, main td script, main dd script, main li script').count(), 0);
    assert.deepEqual(dialogs, [], 'no alert ran');

    // The statement shown is the stored one.
    const bundle = await storedBundle(runId);
    const payload = Buffer.from(
      (JSON.parse(bundle) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload,
      'base64',
    );
    const shown = await page.locator('pre.statement').textContent();
    assert.equal(shown, JSON.stringify(JSON.parse(payload.toString('utf8')), null, 2));

    // Downloads: the material's bytes match its digest; the bundle is the stored one; the offline command works.
    const dir = mkdtempSync(join(scratch, 'downloads-'));
    const blob = await download(rootfs.locator('a.download-blob'), dir);
    assert.equal(blob.name, 'rootfs.tar.gz');
    assert.equal(sha256(blob.bytes), sha256(ROOTFS_BYTES));
    const bundleFile = await download(page.locator('a.bundle-download'), dir);
    assert.equal(bundleFile.bytes.toString('utf8'), bundle);
    const envelope = await download(page.locator('a.envelope-download'), dir);
    const key = await download(page.locator('a.verification-material'), dir);
    const command = await text(page.locator('code.offline-command'));
    const [program, ...args] = command.split(/\s+/);
    assert.equal(program, 'chainloop');
    assert.ok(args.includes(bundleFile.name) && args.includes(key.name), `the command names the downloads: ${command}`);
    const offline = await runCli(args, { cwd: dir });
    assert.equal(offline.status, 0, offline.stderr);
    const onEnvelope = await runCli(['attestation', 'verify', envelope.path, '--key', key.path], { cwd: dir });
    assert.equal(onEnvelope.status, 0, onEnvelope.stderr);

    await assertAccessible(page, 'Run detail');
    await screenshot(page, 'run-detail');
  });

  test('a keyless run verifies with the certificate this control plane issued', { timeout: 60_000 }, async () => {
    await open(`#/runs/${scenario.runs.keyless}`, 'p.verification');
    const verification = page.locator('p.verification');
    assert.equal(await verification.getAttribute('data-verified'), 'true');
    assert.match(await text(verification), /^Verified with certificate [0-9A-F]+ for .*, issued by /);
    const dir = mkdtempSync(join(scratch, 'keyless-'));
    await download(page.locator('a.bundle-download'), dir);
    const chain = await download(page.locator('a.verification-material'), dir);
    assert.match(chain.bytes.toString('utf8'), /^-----BEGIN CERTIFICATE-----/);
    const [, ...args] = (await text(page.locator('code.offline-command'))).split(/\s+/);
    const offline = await runCli(args, { cwd: dir });
    assert.equal(offline.status, 0, offline.stderr);
  });

  test('a tampered stored bundle and one signed by an unregistered key show as not verified, with why', {
    timeout: 60_000,
  }, async () => {
    await open(`#/runs/${scenario.runs.tampered}`, 'p.verification');
    let verification = page.locator('p.verification');
    assert.equal(await verification.getAttribute('data-verified'), 'false');
    assert.match(await text(verification), /^Not verified\. \S.*signature/i);
    await screenshot(page, 'run-detail-tampered');

    await open(`#/runs/${scenario.runs.unregisteredKey}`, 'p.verification');
    verification = page.locator('p.verification');
    assert.equal(await verification.getAttribute('data-verified'), 'false');
    assert.match(await text(verification), /^Not verified\. .*1 (public )?key\(s\) registered for workflow "?nightly/);
    await assertAccessible(page, 'Run detail (not verified)');
  });

  test('failed, cancelled and expired runs show when and why, reasons as text', { timeout: 60_000 }, async () => {
    const cases: Array<[string, string, RegExp | string]> = [
      [scenario.runs.failed, 'failed', HOSTILE_REASON],
      [scenario.runs.cancelled, 'cancelled', 'superseded by a newer pipeline'],
      [scenario.runs.expired, 'expired', /.*/],
    ];
    for (const [runId, event, reason] of cases) {
      await open(`#/runs/${runId}`, 'ol.timeline li');
      assert.equal(await text(page.locator('.run-status')), event);
      const last = page.locator(`ol.timeline li[data-event="${event}"]`);
      assert.equal(await last.count(), 1, `${event} is on the timeline`);
      if (typeof reason === 'string') assert.equal(await text(last.locator('.reason')), reason);
      assert.match(await text(page.locator('main')), /This run has no attestation/);
    }
    assert.equal(await page.locator('main img').count(), 0);
    assert.deepEqual(dialogs, []);
    await open(`#/runs/${scenario.runs.failed}`, 'ol.timeline li');
    await assertAccessible(page, 'Run detail (failed)');
    await screenshot(page, 'run-detail-failed');
  });

  test('Contracts: every revision and the diff between two', { timeout: 60_000 }, async () => {
    await open('#/workflows', 'table.workflows tbody tr');
    await page.getByRole('link', { name: 'Contract of release' }).click();
    await page.locator('pre.contract-body').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('table.revisions tbody tr').count(), 3);
    assert.equal(await page.locator('pre.contract-body').textContent(), RELEASE_CONTRACT_V3);
    const addedInV3 = (await page.locator('pre.diff ins').allTextContents()).join('');
    assert.match(addedInV3, /^\+ {3}# release notes are attested from 1\.5 on$/m);
    assert.match(addedInV3, /^\+ policies:$/m);
    assert.match(addedInV3, /^\+ +- expression: input\.value\.startsWith\("v"\)$/m);
    await page.getByLabel('From revision').selectOption('1');
    await page.getByLabel('To revision').selectOption('2');
    await page.locator('.contract-diff h3', { hasText: 'revision 1 to revision 2' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('pre.contract-body').textContent(), RELEASE_CONTRACT);
    const added = (await page.locator('pre.diff ins').allTextContents()).join('');
    assert.match(added, /^\+ materials:$/m);
    assert.match(added, /^\+ {3}- name: rootfs$/m);
    assert.deepEqual(await page.locator('pre.diff del').allTextContents(), []);
    await assertAccessible(page, 'Contracts');
    await screenshot(page, 'contracts');
  });

  test('Robot accounts: the token is shown once and revoking it takes effect; keys are added and removed', {
    timeout: 90_000,
  }, async () => {
    const whoami = (token: string) =>
      fetch(`${scenario.cp.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }).then(
        (response) => response.status,
      );
    await open('#/workflows', 'table.workflows tbody tr');
    await page.getByRole('link', { name: 'Robot accounts and keys of release' }).click();
    await page.getByLabel('Robot account name').fill('ui-made-robot');
    await page.getByRole('button', { name: 'Create robot account' }).click();
    const token = await text(page.locator('output.token'));
    assert.match(token, /\S{20,}/);
    assert.equal(await whoami(token), 200);
    await assertAccessible(page, 'Robot accounts and keys');
    await screenshot(page, 'access');

    await page.reload();
    await page.locator('table.robots tbody tr').first().waitFor({ timeout: 15_000 });
    assert.ok(!(await page.content()).includes(token), 'the token is not shown again');
    const robot = page.locator('table.robots tr', { hasText: 'ui-made-robot' });
    await robot.getByRole('button', { name: 'Revoke ui-made-robot' }).click();
    await robot.getByRole('button', { name: 'Confirm: Revoke ui-made-robot' }).click();
    await robot.locator('td.state', { hasText: /^revoked/ }).waitFor({ timeout: 15_000 });
    assert.equal(await whoami(token), 401, 'the revoked token no longer works');

    // Keys: a bad PEM is answered with the control plane's message; a good one is listed, then removed.
    await page.getByLabel('Public key (PEM)').fill('not a key');
    await page.getByRole('button', { name: 'Add key' }).click();
    assert.match(await text(page.locator('.workflow-keys [role="alert"]')), /public key/i);
    const pem = readFileSync(
      join(vectors, 'keys', 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.derived.pub'),
      'utf8',
    );
    await page.getByLabel('Public key (PEM)').fill(pem);
    await page.getByLabel('Key name').fill('second-signer');
    await page.getByRole('button', { name: 'Add key' }).click();
    const keyRow = page.locator('table.keys tr', { hasText: 'second-signer' });
    await keyRow.waitFor({ timeout: 15_000 });
    let keys = await scenario.cp.admin().listWorkflowKeys(scenario.release.id);
    assert.deepEqual(keys.map((key) => key.name).sort(), [scenario.releaseKeyName, 'second-signer'].sort());
    await keyRow.getByRole('button', { name: 'Remove second-signer' }).click();
    await keyRow.getByRole('button', { name: 'Confirm: Remove second-signer' }).click();
    await keyRow.waitFor({ state: 'detached', timeout: 15_000 });
    keys = await scenario.cp.admin().listWorkflowKeys(scenario.release.id);
    assert.deepEqual(
      keys.map((key) => key.name),
      [scenario.releaseKeyName],
    );
  });

  test('creating a robot account with the cookie but without the CSRF token is refused', {
    timeout: 30_000,
  }, async () => {
    const before = (await scenario.cp.admin().listRobotAccounts(scenario.release.id)).length;
    const answer = await page.evaluate(async (workflow) => {
      const response = await fetch(`/v1/workflows/${workflow}/robot-accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'forged' }),
      });
      return { status: response.status, code: ((await response.json()) as { code: string }).code };
    }, scenario.release.id);
    assert.deepEqual(answer, { status: 403, code: 'CSRF_TOKEN_MISSING' });
    assert.equal((await scenario.cp.admin().listRobotAccounts(scenario.release.id)).length, before);
  });
});
