/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core) against a real control plane: a wrong
 * admin token is refused with its message, the right one signs in with an HttpOnly SameSite=Strict cookie, the
 * Workflows view lists a workflow whose team and project are hostile HTML as literal text (no alert fires), / carries
 * the Content-Security-Policy, a state-changing request with the cookie but no CSRF token is refused, and signing out
 * ends the session. A screenshot of the view goes to e2e/web-ui/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../support/control-plane';
import { launchChromium, screenshot } from './support/browser';

const HOSTILE_TEAM = '<script>alert(1)</script>';
const HOSTILE_PROJECT = '<img src=x onerror=alert(1)>';

describe('web UI: sign-in and the Workflows view in chromium', { timeout: 120_000 }, () => {
  let cp: TestControlPlane;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  let workflowId: string;

  before(async () => {
    cp = await startControlPlane();
    const workflow = await createWorkflowWithRobot(cp, {
      name: 'release-build',
      team: HOSTILE_TEAM,
      project: HOSTILE_PROJECT,
      contract: 'schemaVersion: v1\n',
    });
    workflowId = workflow.workflowId;
    // One run, opened as a CI job's attestation init does.
    const opened = await fetch(`${cp.url}/v1/crafting/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workflow.robotToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contractRevision: 1, runnerType: 'GITHUB_ACTION' }),
    });
    assert.equal(opened.status, 201, await opened.text());
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  });
  after(async () => {
    await browser?.close();
    await cp?.stop();
  });

  test('/ is served with a strict Content-Security-Policy and no inline script', { timeout: 30_000 }, async () => {
    const response = await page.goto(`${cp.url}/`);
    assert.ok(response);
    assert.equal(response.status(), 200);
    const headers = response.headers();
    assert.match(headers['content-security-policy'], /default-src 'self'/);
    assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline|unsafe-eval/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    const inline = await page.locator('script:not([src])').count();
    assert.equal(inline, 0, 'index.html has no inline script');
  });

  test('a wrong admin token is refused and the message is shown', { timeout: 30_000 }, async () => {
    await page.goto(`${cp.url}/`);
    await page.getByLabel('Admin token').fill('cl_admin_not-the-right-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    assert.match((await alert.textContent()) ?? '', /admin token is not valid for this control plane/);
    assert.equal((await context.cookies()).length, 0, 'no session cookie after a refused sign-in');
  });

  test('the right token signs in; the Workflows view shows hostile names as text', { timeout: 60_000 }, async () => {
    await page.goto(`${cp.url}/`);
    await page.getByLabel('Admin token').fill(cp.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-workflow-id="${workflowId}"]`);
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await row.locator('td.name').textContent(), 'release-build');
    assert.equal(await row.locator('td.team').textContent(), HOSTILE_TEAM);
    assert.equal(await row.locator('td.project').textContent(), HOSTILE_PROJECT);
    assert.equal(await row.locator('td.latest').textContent(), 'initialized');
    assert.equal(await row.locator('td.week').textContent(), '1');
    assert.equal(await page.locator('main img, main td script').count(), 0, 'no element made from the names');
    assert.deepEqual(dialogs, [], 'no alert dialog fired');

    const cookies = await context.cookies();
    assert.equal(cookies.length, 1);
    const [session] = cookies;
    assert.equal(session.name, 'chainloop_session');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/');
    assert.ok(session.expires > Date.now() / 1000 + 11 * 3600, 'expires in about 12 hours');
    assert.ok(!session.value.includes(cp.adminToken), 'the admin token is not in the cookie');
    assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the session cookie');

    await screenshot(page, 'workflows-signed-in');
  });

  test('a state-changing request with the session cookie but no CSRF token is refused', {
    timeout: 30_000,
  }, async () => {
    const answer = await page.evaluate(async () => {
      const response = await fetch('/v1/workflows', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'forged', team: 't', project: 'p' }),
      });
      return { status: response.status, body: (await response.json()) as { code: string; message: string } };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.code, 'CSRF_TOKEN_MISSING');
    assert.doesNotMatch(answer.body.message, /\n/);
    const workflows = await cp.admin().listWorkflows();
    assert.ok(!workflows.some((workflow) => workflow.name === 'forged'), 'nothing was created');
  });

  test('signing out ends the session: the old cookie is refused', { timeout: 30_000 }, async () => {
    const [session] = await context.cookies();
    const cookie = `${session.name}=${session.value}`;
    const before = await fetch(`${cp.url}/v1/workflows`, { headers: { cookie } });
    assert.equal(before.status, 200, 'the cookie reads workflows while signed in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor({ timeout: 10_000 });
    const afterSignOut = await fetch(`${cp.url}/v1/workflows`, { headers: { cookie } });
    assert.equal(afterSignOut.status, 401);
    assert.equal(((await afterSignOut.json()) as { code: string }).code, 'UNAUTHENTICATED');
    assert.equal((await context.cookies()).length, 0, 'the browser dropped the cookie');
  });
});
