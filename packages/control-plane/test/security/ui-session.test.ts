/**
 * The web UI's session: the admin token is exchanged for a random session id in an HttpOnly, SameSite=Strict cookie
 * (never the token itself) and a CSRF token; the cookie reads only the routes wired for the UI; a state-changing
 * request with the cookie needs X-CSRF-Token; signing out and expiry end the session; bearer tokens work as before.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KeySigner, signStatement } from '@chainloop-ts/core/attestation';
import { hashToken } from '../../src/auth/tokens';
import { UiSessions, uiSessionKey } from '../../src/auth/ui-sessions';
import { defaultConfig } from '../../src/config';
import { startControlPlane } from '../../src/index';
import { KyselyRepository } from '../../src/storage/kysely-repository';
import { makeTempDir, removeDir } from '../helpers/control-plane-process';

const ADMIN_TOKEN = 'cl_admin_ui-session-test-token';

describe('security: web UI session', { timeout: 60_000 }, () => {
  let running: Awaited<ReturnType<typeof startControlPlane>>;
  const dataDir = makeTempDir('cp-ui-session-');

  before(async () => {
    running = await startControlPlane(defaultConfig({ port: 0, dataDir, adminToken: ADMIN_TOKEN }));
  });
  after(async () => {
    await running.close();
    removeDir(dataDir);
  });

  const signIn = async (token = ADMIN_TOKEN) =>
    fetch(`${running.url}/v1/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
  const session = async () => {
    const response = await signIn();
    assert.equal(response.status, 201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { setCookie, cookie: setCookie.split(';')[0], csrfToken };
  };

  test('a wrong token is refused with one line; no cookie is set', async () => {
    const response = await signIn('cl_admin_wrong-token-wrong-token');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('set-cookie'), null);
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(body.code, 'UNAUTHENTICATED');
    assert.match(body.message, /^the admin token is not valid for this control plane: [^\n]+$/);
  });

  test('the right token gets an HttpOnly SameSite=Strict cookie holding a random id, not the token', async () => {
    const { setCookie, csrfToken } = await session();
    assert.match(setCookie, /^chainloop_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.ok(!setCookie.includes(ADMIN_TOKEN));
    assert.match(csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual((await session()).cookie, (await session()).cookie, 'each sign-in gets its own id');
  });

  test('the cookie reads the routes the UI uses, and no other', async () => {
    const { cookie } = await session();
    const get = (path: string) => fetch(`${running.url}${path}`, { headers: { cookie } });
    assert.equal((await get('/v1/workflows')).status, 200);
    assert.equal((await get('/v1/runs')).status, 200);
    const unwired = await get(`/v1/attestations/sha256:${'0'.repeat(64)}`);
    assert.equal(unwired.status, 401);
    assert.equal(((await unwired.json()) as { code: string }).code, 'UNAUTHENTICATED');
  });

  test('a state-changing request with the cookie needs the CSRF token', async () => {
    const { cookie, csrfToken } = await session();
    const post = (headers: Record<string, string>) =>
      fetch(`${running.url}/v1/workflows`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'forged', team: 't', project: 'p' }),
      });
    const missing = await post({});
    assert.equal(missing.status, 403);
    const missingBody = (await missing.json()) as { code: string; message: string };
    assert.equal(missingBody.code, 'CSRF_TOKEN_MISSING');
    assert.doesNotMatch(missingBody.message, /\n/);
    const wrong = await post({ 'x-csrf-token': 'not-the-token' });
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { code: string }).code, 'CSRF_TOKEN_INVALID');
    // With the CSRF token the cookie still does not stand for the admin here: only the UI's routes accept it.
    assert.equal((await post({ 'x-csrf-token': csrfToken })).status, 401);
    // A bearer token is unaffected by a cookie next to it.
    assert.equal((await post({ authorization: `Bearer ${ADMIN_TOKEN}` })).status, 201);
  });

  test('the cookie reads run detail, downloads, activity and contracts, and manages robot accounts and keys with the CSRF token', async () => {
    const { cookie, csrfToken } = await session();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${running.url}/v1/workflows`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'ui-flow', team: 'platform', project: 'ui' }),
    });
    assert.equal(created.status, 201);
    const asUi = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
      fetch(`${running.url}${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const csrf = { 'x-csrf-token': csrfToken };
    const refusedWithoutCsrf = async (method: string, path: string, body?: unknown) => {
      const answer = await asUi(method, path, {}, body);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(((await answer.json()) as { code: string }).code, 'CSRF_TOKEN_MISSING');
    };

    // Robot accounts and keys: state changes need the CSRF token, and then work with the cookie alone.
    await refusedWithoutCsrf('POST', '/v1/workflows/ui-flow/robot-accounts', { name: 'ci' });
    const robotAnswer = await asUi('POST', '/v1/workflows/ui-flow/robot-accounts', csrf, { name: 'ci' });
    assert.equal(robotAnswer.status, 201);
    const robot = (await robotAnswer.json()) as { id: string; token: string };
    assert.match(robot.token, /^cl_robot_/);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await refusedWithoutCsrf('POST', '/v1/workflows/ui-flow/keys', { publicKeyPem, name: 'release' });
    const keyAnswer = await asUi('POST', '/v1/workflows/ui-flow/keys', csrf, { publicKeyPem, name: 'release' });
    assert.equal(keyAnswer.status, 201);
    const key = (await keyAnswer.json()) as { id: string };
    assert.equal((await asUi('GET', '/v1/workflows/ui-flow/robot-accounts')).status, 200);
    assert.equal((await asUi('GET', '/v1/workflows/ui-flow/keys')).status, 200);

    // A run of the workflow with an attestation signed by that key, pushed by the robot.
    const robotHeaders = { authorization: `Bearer ${robot.token}`, 'content-type': 'application/json' };
    const runAnswer = await fetch(`${running.url}/v1/crafting/runs`, {
      method: 'POST',
      headers: robotHeaders,
      body: JSON.stringify({ contractRevision: 1, runnerType: 'GITHUB_ACTION' }),
    });
    const run = (await runAnswer.json()) as { id: string };
    const statement = {
      _type: 'https://in-toto.io/Statement/v1' as const,
      subject: [{ name: 'chainloop.workflow.ui-flow', digest: { sha256: 'a'.repeat(64) } }],
      predicateType: 'chainloop.dev/attestation/v0.2',
      predicate: {},
    };
    const { bundleJson } = await signStatement(statement, new KeySigner(privateKey));
    const pushed = await fetch(`${running.url}/v1/runs/${run.id}/attestation`, {
      method: 'POST',
      headers: robotHeaders,
      body: JSON.stringify({ bundle: bundleJson }),
    });
    assert.equal(pushed.status, 201);
    const { digest } = (await pushed.json()) as { digest: string };

    for (const path of [
      `/v1/runs/${run.id}`,
      `/v1/runs/${run.id}/detail`,
      `/v1/runs/${run.id}/bundle`,
      `/v1/runs/${run.id}/envelope`,
      `/v1/runs/${run.id}/verification-material`,
      `/v1/cas/${digest}?name=attestation.json`,
      '/v1/workflows/activity',
      '/v1/workflows/ui-flow',
      '/v1/workflows/ui-flow/contract',
      '/v1/workflows/ui-flow/contract/revisions',
    ]) {
      const answer = await asUi('GET', path);
      assert.equal(answer.status, 200, `${path}: ${await answer.text()}`);
    }
    const detail = (await (await asUi('GET', `/v1/runs/${run.id}/detail`)).json()) as {
      verification: { verified: boolean };
    };
    assert.equal(detail.verification.verified, true);

    await refusedWithoutCsrf('DELETE', `/v1/workflows/ui-flow/keys/${key.id}`);
    assert.equal((await asUi('DELETE', `/v1/workflows/ui-flow/keys/${key.id}`, csrf)).status, 204);
    await refusedWithoutCsrf('DELETE', `/v1/workflows/ui-flow/robot-accounts/${robot.id}`);
    const revoked = await asUi('DELETE', `/v1/workflows/ui-flow/robot-accounts/${robot.id}`, csrf);
    assert.equal(revoked.status, 200);
    assert.ok(((await revoked.json()) as { revokedAt?: string }).revokedAt);
    const afterRevocation = await fetch(`${running.url}/v1/whoami`, {
      headers: { authorization: `Bearer ${robot.token}` },
    });
    assert.equal(afterRevocation.status, 401, 'revocation takes effect at once');
  });

  test('signing out needs the CSRF token, ends the session and clears the cookie', async () => {
    const { cookie, csrfToken } = await session();
    const signOut = (headers: Record<string, string>) =>
      fetch(`${running.url}/v1/ui/session`, { method: 'DELETE', headers: { cookie, ...headers } });
    assert.equal((await signOut({})).status, 403);
    const done = await signOut({ 'x-csrf-token': csrfToken });
    assert.equal(done.status, 204);
    assert.match(
      done.headers.get('set-cookie') ?? '',
      /^chainloop_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/,
    );
    const afterwards = await fetch(`${running.url}/v1/workflows`, { headers: { cookie } });
    assert.equal(afterwards.status, 401);
  });

  test('/ and /ui/ serve the built UI with the security headers; unknown files are 404', async () => {
    const page = await fetch(`${running.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
    assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /unsafe/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/ui\/app\.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<script type="module">|<style|style=/, 'no inline script or style');
    const script = await fetch(`${running.url}/ui/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${running.url}/ui/..%2Fpackage.json`)).status, 404);
    assert.equal((await fetch(`${running.url}/ui/missing.js`)).status, 404);
  });
});

describe('web UI sessions expire', { timeout: 10_000 }, () => {
  test('a session is gone after its time to live, and its row with it; a sign-in removes expired rows', async () => {
    const dir = makeTempDir('cp-ui-session-store-');
    const store = await KyselyRepository.openSqlite(join(dir, 'control-plane.db'));
    try {
      let now = Date.UTC(2026, 0, 1);
      const adminTokenHash = hashToken(ADMIN_TOKEN);
      const key = (id: string) => uiSessionKey(id, adminTokenHash);
      const sessions = new UiSessions(store, { adminTokenHash, ttlMs: 60_000, now: () => now });
      const { id, session } = await sessions.create();
      const cookie = `other=1; chainloop_session=${id}`;
      assert.deepEqual((await sessions.fromCookie(cookie))?.session, session);
      assert.equal(await store.getUiSession(id), undefined, 'the store keeps the hash of the id, never the id');
      assert.equal(await store.getUiSession(hashToken(id)), undefined, 'the hash is bound to the admin token');
      assert.equal((await store.getUiSession(key(id)))?.csrfToken, session.csrfToken);
      now += 59_999;
      assert.ok(await sessions.fromCookie(cookie));
      now += 1;
      assert.equal(await sessions.fromCookie(cookie), undefined);
      assert.equal(await store.getUiSession(key(id)), undefined, 'an expired session read is removed');

      const { id: forgotten } = await sessions.create();
      now += 60_000;
      const { id: fresh } = await sessions.create();
      assert.equal(await store.getUiSession(key(forgotten)), undefined, 'swept at the next sign-in');
      assert.ok(await store.getUiSession(key(fresh)));
      await sessions.end(fresh);
      assert.equal(await sessions.fromCookie(`chainloop_session=${fresh}`), undefined);
    } finally {
      await store.close();
      removeDir(dir);
    }
  });
});

describe('web UI sessions across restarts', { timeout: 30_000 }, () => {
  test('a session survives a restart with the same admin token and ends when the token is changed', async () => {
    const dir = makeTempDir('cp-ui-session-restart-');
    const start = (adminToken: string) => startControlPlane(defaultConfig({ port: 0, dataDir: dir, adminToken }));
    const workflows = (url: string, cookie: string) => fetch(`${url}/v1/workflows`, { headers: { cookie } });
    try {
      let running = await start(ADMIN_TOKEN);
      const signedIn = await fetch(`${running.url}/v1/ui/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: ADMIN_TOKEN }),
      });
      assert.equal(signedIn.status, 201);
      const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0];
      await running.close();

      running = await start(ADMIN_TOKEN);
      assert.equal((await workflows(running.url, cookie)).status, 200, 'the same token: still signed in');
      await running.close();

      running = await start('cl_admin_rotated-after-a-leak');
      const refused = await workflows(running.url, cookie);
      assert.equal(refused.status, 401, 'a changed admin token ends the sessions opened with the old one');
      assert.equal(((await refused.json()) as { code: string }).code, 'UNAUTHENTICATED');
      await running.close();
    } finally {
      removeDir(dir);
    }
  });
});
