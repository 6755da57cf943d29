/**
 * Policies as the control plane shows and checks them. Runs are crafted the way a CI job crafts them (core's init,
 * add and push against the real control plane, so the policies really run while crafting): the run detail and the
 * run read back what the signed statement records (each evaluation, its violations as text, the flags), and a run
 * without policies shows an empty list. A contract whose embedded CEL does not compile, or that names no built-in
 * policy, is refused when it is uploaded, naming the path.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSigningKey, type Signer } from '@chainloop-ts/core/attestation';
import { ControlPlaneClient } from '@chainloop-ts/core/client';
import { addMaterial, initAttestation, pushAttestation, silentLogger } from '@chainloop-ts/core/crafter';
import { builtinPolicyText } from '@chainloop-ts/core/policies';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const vectors = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'vectors');
const SIGNING_KEY = join(vectors, 'keys', 'generated__p256_N65536.key');
const SIGNING_PASSWORD = 'correct horse battery staple';
/** A real JUnit report with one failed case: junit-no-failures finds one violation. */
const FAILING_JUNIT = join(vectors, 'materials', 'junit.xml');

/** What a CI job attaches: a built-in advisory policy, an embedded gate on a string, a skipped one, an attestation one. */
const POLICY_CONTRACT = `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: release
spec:
  materials:
    - type: JUNIT_XML
      name: tests
    - type: STRING
      name: build-ref
  policies:
    materials:
      - ref: builtin://junit-no-failures
      - gate: true
        selector:
          name: build-ref
        embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: release-tag
          spec:
            policies:
              - kind: STRING
                cel:
                  rules:
                    - expression: input.value.startsWith("v")
                      messageExpression: '"<b>" + input.value + "</b> is not a release tag"'
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: not-on-strings
          spec:
            policies:
              - kind: STRING
                cel:
                  skip:
                    - expression: "true"
                      reason: strings are not checked here
                  rules:
                    - expression: "false"
                      message: never reached
    attestation:
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: has-materials
          spec:
            policies:
              - kind: ATTESTATION
                cel:
                  rules:
                    - expression: size(predicate.materials) > 0
                      message: the attestation has no materials
`;

const PLAIN_CONTRACT = `schemaVersion: v1
materials:
  - name: build-ref
    type: STRING
`;

interface Policies {
  hasViolations: boolean;
  blockingStrategy: string;
  bypassed: boolean;
  attBlocked: boolean;
  evaluations: Array<Record<string, unknown>>;
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('policy evaluations in the run detail and the run; policies checked at contract upload', {
  timeout: 240_000,
}, () => {
  let server: ControlPlaneProcess;
  let signingKey: Signer;
  const workdir = mkdtempSync(join(tmpdir(), 'cp-run-policies-'));

  before(async () => {
    server = await startControlPlaneProcess();
    signingKey = await loadSigningKey(SIGNING_KEY, { password: SIGNING_PASSWORD });
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
    removeDir(workdir);
  });

  /** init → add each material → push (with a key), as a CI job of a new workflow; answers the run id. */
  async function craft(
    name: string,
    contract: string,
    materials: Record<string, string>,
    options: { bypass?: boolean; push?: boolean } = {},
  ): Promise<string> {
    const { token } = await workflowWithRobot(server, name, contract);
    const cwd = mkdtempSync(join(workdir, `${name}-`));
    const client = new ControlPlaneClient({ baseUrl: server.url, token, retries: 0 });
    const context = { env: {}, cwd, log: silentLogger, client };
    const { state, store } = await initAttestation(context, {
      dryRun: false,
      remoteState: false,
      replace: false,
      localStatePath: join(cwd, 'state.json'),
    });
    const runId = state.workflow.runId;
    assert.ok(runId);
    for (const [material, value] of Object.entries(materials)) {
      await addMaterial(context, store, { name: material, value, annotations: {} });
    }
    if (options.push === false) return runId;
    await pushAttestation(context, store, {
      signer: async () => signingKey,
      annotations: {},
      retryDelaysMs: [],
      bypassPolicyCheck: options.bypass,
    });
    return runId;
  }

  const get = async (path: string) => {
    const answer = await call(server, 'GET', path, { token: server.adminToken });
    assert.equal(answer.status, 200, answer.text);
    return answer.json();
  };

  const putContract = (workflow: string, body: string) =>
    call(server, 'PUT', `/v1/workflows/${workflow}/contract`, { token: server.adminToken, json: { body } });

  test('an advisory policy violated: the detail and the run list every evaluation the statement records, as text', async () => {
    const runId = await craft('advisory', POLICY_CONTRACT, { tests: FAILING_JUNIT, 'build-ref': 'v1.4.0' });
    const junitText = builtinPolicyText('junit-no-failures');
    assert.ok(junitText);
    const expected: Policies = {
      hasViolations: true,
      blockingStrategy: 'ADVISORY',
      bypassed: false,
      attBlocked: false,
      // In the statement's order: material by material (as the state lists them), then the attestation's.
      evaluations: [
        {
          materialName: 'build-ref',
          name: 'release-tag',
          gate: true,
          skipped: false,
          skipReasons: [],
          violations: [],
        },
        {
          materialName: 'build-ref',
          name: 'not-on-strings',
          gate: false,
          skipped: true,
          skipReasons: ['strings are not checked here'],
          violations: [],
        },
        {
          materialName: 'tests',
          name: 'junit-no-failures',
          reference: { uri: 'builtin://junit-no-failures', digest: sha256(junitText) },
          gate: false,
          skipped: false,
          skipReasons: [],
          violations: [
            {
              subject: 'Tests.Authentication > testCase9',
              message: 'test Tests.Authentication > testCase9 failed: Assertion error message',
            },
          ],
        },
        { materialName: '', name: 'has-materials', gate: false, skipped: false, skipReasons: [], violations: [] },
      ],
    };
    const detail = await get(`/v1/runs/${runId}/detail`);
    assert.deepEqual(detail.attestation.policies, expected);
    const run = await get(`/v1/runs/${runId}`);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.policies, expected, 'GET /v1/runs/:id (what run describe reads) shows the same');
  });

  test('a gate violated and bypassed: the flags say so; violation messages stay the text the statement signed', async () => {
    const runId = await craft(
      'bypassed',
      POLICY_CONTRACT,
      { tests: FAILING_JUNIT, 'build-ref': '<script>alert(1)</script>' },
      { bypass: true },
    );
    const { policies } = await get(`/v1/runs/${runId}`);
    assert.equal(policies.hasViolations, true);
    assert.equal(policies.bypassed, true);
    assert.equal(policies.attBlocked, false, 'a bypassed gate does not block');
    const gate = policies.evaluations.find((evaluation: { name: string }) => evaluation.name === 'release-tag');
    assert.deepEqual(gate.violations, [
      { subject: 'release-tag', message: '<b><script>alert(1)</script></b> is not a release tag' },
    ]);
    assert.equal(gate.gate, true);
    assert.deepEqual((await get(`/v1/runs/${runId}/detail`)).attestation.policies, policies);
  });

  test('a run pushed without policies shows an empty list; a run not pushed yet has none to show', async () => {
    const pushed = await craft('no-policies', PLAIN_CONTRACT, { 'build-ref': 'v1.0.0' });
    const empty = {
      hasViolations: false,
      blockingStrategy: 'ADVISORY',
      bypassed: false,
      attBlocked: false,
      evaluations: [],
    };
    assert.deepEqual((await get(`/v1/runs/${pushed}/detail`)).attestation.policies, empty);
    assert.deepEqual((await get(`/v1/runs/${pushed}`)).policies, empty);

    const open = await craft('not-pushed', PLAIN_CONTRACT, { 'build-ref': 'v1.0.0' }, { push: false });
    const run = await get(`/v1/runs/${open}`);
    assert.equal(run.status, 'initialized');
    assert.equal(run.policies, undefined);
    assert.equal((await get(`/v1/runs/${open}/detail`)).attestation, undefined);
  });

  test('an embedded policy whose CEL does not compile is refused at upload: 400 CONTRACT_INVALID naming the rule', async () => {
    await server.admin().createWorkflow({ name: 'bad-cel', team: 't', project: 'skynet' });
    const embedded = (rule: string) => `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: bad-cel
spec:
  materials:
    - type: STRING
      name: build-ref
  policies:
    materials:
      - ref: builtin://junit-no-failures
      - embedded:
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: broken
          spec:
            policies:
              - kind: STRING
                cel:
                  rules:
                    - expression: "true"
                      message: always holds
                    - ${rule}
                      message: the rule under test
`;
    const cases: Array<[string, RegExp]> = [
      [
        'expression: input.value.startsWith("v"',
        /^invalid contract: spec\.policies\.materials\[1\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[1\]\.expression: not valid CEL: /,
      ],
      [
        'expression: \'"a string, not a condition"\'',
        /^invalid contract: spec\.policies\.materials\[1\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[1\]\.expression: yields string, expected bool$/,
      ],
      [
        'expression: no_such_variable > 1',
        /^invalid contract: spec\.policies\.materials\[1\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[1\]\.expression: not valid CEL: .*no_such_variable/,
      ],
    ];
    for (const [rule, message] of cases) {
      const answer = await putContract('bad-cel', embedded(rule));
      assert.equal(answer.status, 400, `${rule}: ${answer.text}`);
      assert.equal(answer.json().code, 'CONTRACT_INVALID');
      assert.match(answer.json().message, message);
      assert.doesNotMatch(answer.json().message, /\n/);
    }
    assert.equal((await server.admin().getContract('bad-cel')).revision, 1, 'no revision added');
    const good = await putContract('bad-cel', embedded('expression: input.value != ""'));
    assert.equal(good.status, 201, good.text);
  });

  test('a builtin:// ref naming no built-in policy (or a built-in group) is refused at upload, naming the path', async () => {
    await server.admin().createWorkflow({ name: 'bad-builtin', team: 't', project: 'skynet' });
    const contract = (policies: string) => `apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: bad-builtin
spec:
  materials:
    - type: JUNIT_XML
      name: tests
${policies}`;
    const cases: Array<[string, RegExp]> = [
      [
        '  policies:\n    materials:\n      - ref: builtin://junit-no-failures\n    attestation:\n      - ref: builtin://no-such-policy\n',
        /^invalid contract: spec\.policies\.attestation\[0\]\.ref: "builtin:\/\/no-such-policy" names no built-in policy \(built-in: .*junit-no-failures.*\)$/,
      ],
      [
        '  policies:\n    materials:\n      - ref: builtin://junit-no-failures@2\n',
        /^invalid contract: spec\.policies\.materials\[0\]\.ref: .*built-in policies have no revisions/,
      ],
      [
        '  policies:\n    materials:\n      - ref: builtin://junit-no-failures@sha256:' + '0'.repeat(64) + '\n',
        /^invalid contract: spec\.policies\.materials\[0\]\.ref: .*the built-in policy has digest sha256:[0-9a-f]{64}, not the pinned sha256:0{64}: update the pin$/,
      ],
      [
        '  policyGroups:\n    - ref: builtin://sbom-quality\n',
        /^invalid contract: spec\.policyGroups\[0\]\.ref: "builtin:\/\/sbom-quality": there are no built-in policy groups/,
      ],
    ];
    for (const [policies, message] of cases) {
      const answer = await putContract('bad-builtin', contract(policies));
      assert.equal(answer.status, 400, `${policies}: ${answer.text}`);
      assert.equal(answer.json().code, 'CONTRACT_INVALID');
      assert.match(answer.json().message, message);
    }
    assert.equal((await server.admin().getContract('bad-builtin')).revision, 1, 'no revision added');
    // Pinned to its real digest, it is accepted (a required input left out may come from add --policy-input).
    const pinned = `builtin://junit-no-failures@${sha256(builtinPolicyText('junit-no-failures') ?? '')}`;
    const accepted = await putContract(
      'bad-builtin',
      contract(
        `  policies:\n    materials:\n      - ref: ${pinned}\n    attestation:\n      - ref: builtin://runner-allowed\n`,
      ),
    );
    assert.equal(accepted.status, 201, accepted.text);
  });
});
