/**
 * Policies and policy groups stored in the control plane: organisation-wide, by name, with revisions like contracts;
 * written with the admin token, read with a robot account's too (crafting resolves `ref:` with it); a document that
 * does not parse or whose CEL does not compile is refused with its path and reason.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const policy = (minimum: number, description = 'The SBOM lists enough components') => `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: sbom-size
  description: ${description}
spec:
  inputs:
    - name: min_components
      default: "${minimum}"
  policies:
    - kind: SBOM_CYCLONEDX_JSON
      cel:
        rules:
          - name: enough-components
            expression: size(input.components) >= int(args.min_components)
            message: too few components
`;

const ATTESTATION_POLICY_JSON = JSON.stringify({
  apiVersion: 'chainloop.dev/v1',
  kind: 'Policy',
  metadata: { name: 'on-main' },
  spec: {
    policies: [
      { kind: 'ATTESTATION', cel: { rules: [{ expression: 'predicate.runnerType != ""', message: 'no runner' }] } },
    ],
  },
});

/** `size(` is never closed: CEL refuses to parse it. */
const BAD_CEL = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: broken
spec:
  policies:
    - kind: JUNIT_XML
      cel:
        rules:
          - expression: size(input.cases >= 1
            message: no cases
`;

const group = (gate: boolean) => `apiVersion: chainloop.dev/v1
kind: PolicyGroup
metadata:
  name: sbom-quality
  description: What every SBOM must satisfy
spec:
  policies:
    materials:
      - name: sbom
        type: SBOM_CYCLONEDX_JSON
        policies:
          - ref: sbom-size
            gate: ${gate}
`;

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('stored policies and policy groups', { timeout: 120_000 }, () => {
  let server: ControlPlaneProcess;
  const post = (path: string, body: unknown, token = server.adminToken) =>
    call(server, 'POST', path, { token, json: { body } });
  const get = (path: string, token = server.adminToken) => call(server, 'GET', path, { token });

  before(async () => {
    server = await startControlPlaneProcess();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('a policy is stored under its name as revision 1; the same body again keeps it, a changed one is the next revision', {
    timeout: 30_000,
  }, async () => {
    const first = await post('/v1/policies', policy(1));
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(
      { ...first.json(), createdAt: undefined },
      {
        name: 'sbom-size',
        revision: 1,
        digest: sha256(policy(1)),
        description: 'The SBOM lists enough components',
        kinds: ['SBOM_CYCLONEDX_JSON'],
        body: policy(1),
        createdAt: undefined,
      },
    );

    const again = await post('/v1/policies', policy(1));
    assert.equal(again.status, 200, 'an unchanged document is not a new revision');
    assert.deepEqual(again.json(), first.json());

    const second = await post('/v1/policies', policy(10));
    assert.equal(second.status, 201);
    assert.equal(second.json().revision, 2);
    assert.equal(second.json().digest, sha256(policy(10)));

    const latest = await get('/v1/policies/sbom-size');
    assert.equal(latest.status, 200);
    assert.deepEqual([latest.json().revision, latest.json().body], [2, policy(10)]);
    const older = await get('/v1/policies/sbom-size?revision=1');
    assert.deepEqual(
      [older.json().revision, older.json().body, older.json().digest],
      [1, policy(1), sha256(policy(1))],
    );

    // JSON documents are kept verbatim too; the list shows each name at its latest revision.
    assert.equal((await post('/v1/policies', ATTESTATION_POLICY_JSON)).status, 201);
    const listed = await get('/v1/policies');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed
        .json()
        .policies.map((item: Record<string, unknown>) => [item.name, item.revision, item.kinds, item.digest]),
      [
        ['on-main', 1, ['ATTESTATION'], sha256(ATTESTATION_POLICY_JSON)],
        ['sbom-size', 2, ['SBOM_CYCLONEDX_JSON'], sha256(policy(10))],
      ],
    );
    assert.equal(listed.json().policies[0].body, undefined, 'the list does not carry the documents');
  });

  test('a document whose CEL does not compile, or that is no policy, is refused with the path and the reason; nothing is stored', {
    timeout: 30_000,
  }, async () => {
    const refused = await post('/v1/policies', BAD_CEL);
    assert.equal(refused.status, 400);
    assert.equal(refused.json().code, 'POLICY_INVALID');
    assert.match(
      refused.json().message,
      /^invalid policy: spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL: .+: fix the document and send it again \(chainloop policy create\)$/,
    );
    assert.doesNotMatch(refused.json().message, /\n/);
    assert.equal((await get('/v1/policies/broken')).status, 404);

    const typeError = await post('/v1/policies', BAD_CEL.replace('size(input.cases >= 1', `'"cases"'`));
    assert.equal(typeError.status, 400);
    assert.match(
      typeError.json().message,
      /spec\.policies\[0\]\.cel\.rules\[0\]\.expression: yields string, expected bool/,
    );

    const unnamed = await post('/v1/policies', policy(1).replace('name: sbom-size', 'name: Not_A_Label'));
    assert.equal(unnamed.status, 400);
    assert.match(unnamed.json().message, /^invalid policy: metadata\.name: "Not_A_Label" is not a DNS-1123 label/);

    const aGroup = await post('/v1/policies', group(true));
    assert.equal(aGroup.status, 400);
    assert.match(aGroup.json().message, /^invalid policy: kind: "PolicyGroup" is not supported \(expected Policy\)/);

    const notYaml = await post('/v1/policies', 'kind: [');
    assert.equal(notYaml.status, 400);
    assert.match(notYaml.json().message, /^invalid policy: not valid YAML or JSON/);

    const empty = await post('/v1/policies', '');
    assert.equal(empty.status, 400);
    assert.equal(empty.json().code, 'INVALID_REQUEST');
  });

  test('an unknown name or revision is a one-line 404 that says what exists', { timeout: 30_000 }, async () => {
    const unknown = await get('/v1/policies/no-such-policy');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json(), {
      code: 'POLICY_NOT_FOUND',
      message:
        'policy "no-such-policy" not found in the control plane: store it with chainloop policy create --file FILE (chainloop policy list shows the stored ones)',
    });
    await post('/v1/policies', policy(1));
    const revision = await get('/v1/policies/sbom-size?revision=9');
    assert.equal(revision.status, 404);
    assert.equal(revision.json().code, 'POLICY_REVISION_NOT_FOUND');
    assert.match(revision.json().message, /^policy "sbom-size" has no revision 9 \(the latest is \d+\)/);
    const badRevision = await get('/v1/policies/sbom-size?revision=0');
    assert.equal(badRevision.status, 400);
    assert.match(badRevision.json().message, /policy revision/);
  });

  test('a robot account token reads policies and groups (crafting resolves refs with it) but cannot store them', {
    timeout: 30_000,
  }, async () => {
    await post('/v1/policies', policy(1));
    await post('/v1/policy-groups', group(true));
    const { token } = await workflowWithRobot(server, 'reader');
    assert.equal((await get('/v1/policies', token)).status, 200);
    const read = await get('/v1/policies/sbom-size?revision=1', token);
    assert.equal(read.status, 200);
    assert.equal(read.json().body, policy(1));
    assert.equal((await get('/v1/policy-groups', token)).status, 200);
    assert.equal((await get('/v1/policy-groups/sbom-quality', token)).status, 200);

    for (const path of ['/v1/policies', '/v1/policy-groups']) {
      const refused = await post(path, path.endsWith('groups') ? group(false) : policy(99), token);
      assert.equal(refused.status, 403, path);
      assert.equal(refused.json().code, 'FORBIDDEN');
      assert.match(refused.json().message, /needs an admin token/);
      const anonymous = await call(server, 'GET', path);
      assert.equal(anonymous.status, 401);
    }
    assert.notEqual((await get('/v1/policies/sbom-size')).json().body, policy(99), 'the robot stored nothing');
  });

  test('policy groups: revisions like policies, their own names, embedded CEL compiled, 404s of their own', {
    timeout: 30_000,
  }, async () => {
    const first = await post('/v1/policy-groups', group(true));
    assert.ok([200, 201].includes(first.status), first.text);
    const baseline = first.json().revision;
    assert.equal((await post('/v1/policy-groups', group(true))).json().revision, baseline);
    const next = await post('/v1/policy-groups', group(false));
    assert.equal(next.status, 201);
    assert.equal(next.json().revision, baseline + 1);
    assert.equal(next.json().digest, sha256(group(false)));
    assert.equal(next.json().description, 'What every SBOM must satisfy');
    assert.equal((await get(`/v1/policy-groups/sbom-quality?revision=${baseline}`)).json().body, group(true));
    assert.deepEqual(
      (await get('/v1/policy-groups'))
        .json()
        .policyGroups.map((item: Record<string, unknown>) => [item.name, item.revision]),
      [['sbom-quality', baseline + 1]],
    );
    // A group is not a policy: same name space, other documents.
    assert.equal((await get('/v1/policies/sbom-quality')).status, 404);

    const embeddedBad = `apiVersion: chainloop.dev/v1
kind: PolicyGroup
metadata:
  name: broken-group
spec:
  policies:
    attestation:
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: inline
          spec:
            policies:
              - kind: ATTESTATION
                cel:
                  rules:
                    - expression: predicate.runnerType ==
                      message: no runner
`;
    const refused = await post('/v1/policy-groups', embeddedBad);
    assert.equal(refused.status, 400);
    assert.equal(refused.json().code, 'POLICY_GROUP_INVALID');
    assert.match(
      refused.json().message,
      /^invalid policy group: spec\.policies\.attestation\[0\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL: /,
    );
    const policyAsGroup = await post('/v1/policy-groups', policy(1));
    assert.equal(policyAsGroup.status, 400);
    assert.match(policyAsGroup.json().message, /kind: "Policy" is not supported \(expected PolicyGroup\)/);

    const unknown = await get('/v1/policy-groups/nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json().code, 'POLICY_GROUP_NOT_FOUND');
    assert.match(unknown.json().message, /chainloop policy-group create --file FILE/);
    assert.equal(
      (await get('/v1/policy-groups/sbom-quality?revision=50')).json().code,
      'POLICY_GROUP_REVISION_NOT_FOUND',
    );
  });
});
